/**
 * Monaco, bundled with the app (no CDN): the editor core, its editor features and the syntax of
 * Sandpit's languages — not the TypeScript/CSS/HTML/JSON language services, whose workers are
 * megabytes. Only the editor worker runs, as a Vite worker module. Imported only from the lazily
 * loaded editor components, so all of it lands in the `monaco` chunk.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/python/register';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/typescript/register';
import 'monaco-editor/languages/definitions/cpp/register';
import 'monaco-editor/languages/definitions/rust/register';
import 'monaco-editor/languages/definitions/go/register';
import 'monaco-editor/languages/definitions/java/register';
import 'monaco-editor/languages/definitions/shell/register';
import 'monaco-editor/languages/definitions/markdown/register';
import 'monaco-editor/languages/definitions/yaml/register';
import 'monaco-editor/languages/definitions/ini/register';
import 'monaco-editor/languages/definitions/xml/register';
import 'monaco-editor/languages/definitions/sql/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { loader } from '@monaco-editor/react';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

loader.config({ monaco });

monaco.editor.defineTheme('sandpit-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#14161c', 'editorGutter.background': '#14161c' },
});
monaco.editor.defineTheme('sandpit-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: {},
});

export { monaco };
