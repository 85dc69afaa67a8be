import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The API docs page (/api/docs on the gateway): Swagger UI from the swagger-ui-dist package,
 * copied into dist/api-docs/ with the page and its init script from src/api-docs/ — served by the
 * gateway itself, no CDN, and no inline script (it must run under script-src 'self').
 */
function apiDocs(): Plugin {
  const here = dirname(fileURLToPath(import.meta.url));
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const files: Array<[string, string]> = [
    ['index.html', join(here, 'src/api-docs/index.html')],
    ['init.js', join(here, 'src/api-docs/init.js')],
    ['docs.css', join(here, 'src/api-docs/docs.css')],
    ['swagger-ui-bundle.js', join(dist, 'swagger-ui-bundle.js')],
    ['swagger-ui.css', join(dist, 'swagger-ui.css')],
    ['LICENSE', join(dist, 'LICENSE')],
    ['swagger-ui-bundle.js.LICENSE.txt', join(dist, 'swagger-ui-bundle.js.LICENSE.txt')],
  ];
  return {
    name: 'sandpit-api-docs',
    apply: 'build',
    generateBundle() {
      for (const [name, from] of files) {
        let source: string | Buffer = readFileSync(from);
        // the source map is not shipped: no reference to a file that is not there
        if (/\.(js|css)$/.test(name)) source = source.toString('utf8').replace(/\n(\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=\S+ ?\*\/)\s*$/, '\n');
        this.emitFile({ type: 'asset', fileName: `api-docs/${name}`, source });
      }
    },
  };
}

// The gateway to proxy /api and /ws to in `npm run dev` (./sandpit up --port 8099 by default here).
const backend = process.env.SANDPIT_BACKEND ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react(), apiDocs()],
  resolve: {
    alias: [
      // y-monaco imports 'monaco-editor/esm/vs/editor/editor.api.js', a path monaco-editor 0.5x's
      // package exports no longer map (they add esm/vs/ themselves): point it at the module
      // monacoSetup.ts imports, so the binding shares the IDE's one Monaco instead of failing to
      // resolve or bundling a second copy
      { find: /^monaco-editor\/esm\/vs\/editor\/editor\.api(\.js)?$/, replacement: 'monaco-editor/editor/editor.api' },
    ],
  },
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
