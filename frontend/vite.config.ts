import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The gateway to proxy /api and /ws to in `npm run dev` (./sandpit up --port 8099 by default here).
const backend = process.env.SANDPIT_BACKEND ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/health': { target: backend, changeOrigin: true },
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      output: {
        // Monaco (loaded lazily by the editor pane) gets a chunk of its own so the first paint
        // only needs React, the app and xterm.js.
        codeSplitting: {
          groups: [
            // Vite's preload helper is shared by the app's and Monaco's lazy imports: keep it out
            // of the Monaco chunk, or the entry would have to load Monaco to get it
            { name: 'preload', test: /vite\/(preload-helper|modulepreload-polyfill)/, priority: 20 },
            { name: 'monaco', test: /node_modules[\\/]monaco-editor[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  worker: { format: 'es' },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
});
