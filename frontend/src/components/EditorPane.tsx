/**
 * The Monaco editor (lazily loaded: this module and Monaco are the `monaco` chunk). One editor
 * instance for the page; one model per session file, switched with setModel so each file keeps
 * its undo stack and view state. The workspace store holds the text: typing goes model → store,
 * changes from elsewhere (reload, restore, another tab) go store → model. Compiler diagnostics of
 * the last run are drawn as markers. Each text file's model is co-edited through its session's
 * Yjs document (collab.ts) when the gateway offers it; else it is saved over REST as before.
 */
import { useEffect, useRef } from 'react';
import Editor, { type OnMount } from '@monaco-editor/react';
import { useStore } from 'zustand';
import { monaco } from '../lib/monacoSetup';
import { auth, collab, runs, toasts, ui, workspace } from '../lib/services';
import { SessionCollab } from '../lib/collab';
import { collabUrl } from '../lib/collabState';
import { ReadOnlyBanner } from './ReadOnlyBanner';
import { atLeast } from '../types/api';
import { monacoLanguageFor, normaliseDiagnosticPath, mainFileFor } from '../lib/languages';
import { sortedPaths } from '../lib/workspaceStore';
import { runSession, stopRun } from '../hooks/useRunActions';
import type { Diagnostic } from '../types/protocol';

type IEditor = monaco.editor.IStandaloneCodeEditor;
type IModel = monaco.editor.ITextModel;

let readyMarked = false;

/** The first time a file is editable in the editor: a mark on the performance timeline. */
function markReady(ed: IEditor, readOnly: boolean): void {
  if (readyMarked || readOnly || !ed.getModel()) return;
  readyMarked = true;
  performance.mark('sandpit:editor-ready');
}

function severity(s: string | undefined): monaco.MarkerSeverity {
  if (s === 'warning') return monaco.MarkerSeverity.Warning;
  if (s === 'note' || s === 'info') return monaco.MarkerSeverity.Info;
  return monaco.MarkerSeverity.Error;
}

export function markersFor(model: IModel, diags: Diagnostic[]): monaco.editor.IMarkerData[] {
  return diags.map((d) => {
    const line = Math.min(Math.max(1, d.line ?? 1), model.getLineCount());
    const maxCol = model.getLineMaxColumn(line);
    const col = Math.min(Math.max(1, d.column ?? 1), maxCol);
    const word = model.getWordAtPosition({ lineNumber: line, column: col });
    let startColumn = word && !d.end_column ? word.startColumn : col;
    let endColumn = d.end_column && d.end_column > col ? Math.min(d.end_column, maxCol) : word ? word.endColumn : col + 1;
    if (endColumn > maxCol || startColumn >= endColumn) {
      // no word there (e.g. the end of a line): mark the line's text
      const first = model.getLineFirstNonWhitespaceColumn(line) || 1;
      startColumn = col < maxCol ? col : Math.max(1, first);
      endColumn = maxCol > startColumn ? maxCol : startColumn + 1;
    }
    return {
      severity: severity(d.severity),
      message: d.message ?? '',
      source: 'compiler',
      startLineNumber: line,
      startColumn,
      endLineNumber: line,
      endColumn,
    };
  });
}

export default function EditorPane() {
  const theme = useStore(ui, (s) => s.theme);
  const active = useStore(workspace, (s) => s.active);
  const activeLoaded = useStore(workspace, (s) => (s.active ? !!s.files[s.active]?.loaded : false));
  const activeBinary = useStore(workspace, (s) => (s.active ? !!s.files[s.active]?.binary : false));
  const role = useStore(workspace, (s) => s.role);
  const sessionId = useStore(workspace, (s) => s.session?.id ?? null);
  const sessionLanguage = useStore(workspace, (s) => s.session?.language ?? '');
  const denied = useStore(collab, (s) => s.denied);
  const coEdit = useStore(collab, (s) => (active ? s.modes[active] : undefined) ?? 'rest');
  const editorRef = useRef<IEditor | null>(null);
  const engine = useRef<SessionCollab | null>(null);
  const models = useRef(new Map<string, IModel>());
  const synced = useRef(new Map<string, string>());
  const applying = useRef(false);
  const viewStates = useRef(new Map<string, monaco.editor.ICodeEditorViewState | null>());
  const pendingReveal = useRef<{ path: string; line: number; column: number } | null>(null);
  const shownPath = useRef<string | null>(null);

  const canEdit = atLeast(role ?? undefined, 'editor');
  const readOnly = !canEdit || activeBinary || !!denied;

  /** The session's co-editing engine, made once the editor exists. */
  const collabEngine = (): SessionCollab | null => {
    const ed = editorRef.current;
    if (!ed || !sessionId) return null;
    if (!engine.current) {
      engine.current = new SessionCollab({
        store: collab,
        sessionId,
        url: collabUrl(),
        token: () => auth.getState().token,
        user: () => {
          const u = auth.getState().user;
          return u ? { id: u.id, name: u.username } : null;
        },
        editor: ed,
        canEdit: () => atLeast(workspace.getState().role ?? undefined, 'editor'),
        onDenied: (reason) =>
          toasts.getState().push({
            kind: 'warn',
            message: `The server refused your edits${reason ? ` (${reason})` : ''}: the editor is read-only now. Reload to see the shared text.`,
          }),
        onLostEdit: (path) =>
          toasts.getState().push({
            kind: 'warn',
            message: `What you typed in ${path} while co-editing was connecting overlapped someone else's edit and was not applied.`,
          }),
        onResynced: (path) => workspace.getState().coEditSynced(path),
        savedText: (path) => workspace.getState().files[path]?.saved,
      });
      engine.current.setActive(workspace.getState().active);
    }
    return engine.current;
  };

  /** The model of a file, created from the store's text the first time. */
  const modelFor = (path: string): IModel | null => {
    const f = workspace.getState().files[path];
    if (!f || !f.loaded || !sessionId) return null;
    let m = models.current.get(path);
    if (m && !m.isDisposed()) return m;
    const uri = monaco.Uri.from({ scheme: 'sandpit', authority: sessionId, path: '/' + path });
    m = monaco.editor.getModel(uri) ?? monaco.editor.createModel(f.content, monacoLanguageFor(path, sessionLanguage), uri);
    if (m.getValue() !== f.content) m.setValue(f.content);
    synced.current.set(path, f.content);
    const model = m;
    model.onDidChangeContent(() => {
      if (applying.current) return;
      const text = model.getValue();
      synced.current.set(path, text);
      workspace.getState().edit(path, text);
    });
    models.current.set(path, model);
    if (!f.binary) collabEngine()?.attach(path, model);
    applyMarkers();
    return model;
  };

  const applyMarkers = () => {
    const diags = runs.getState().diagnostics;
    const paths = sortedPaths(workspace.getState().files);
    const fallback = mainFileFor(workspace.getState().session?.language ?? '', paths);
    const byPath = new Map<string, Diagnostic[]>();
    for (const d of diags) {
      const p = normaliseDiagnosticPath(d.file, paths, fallback);
      if (!p) continue;
      byPath.set(p, [...(byPath.get(p) ?? []), d]);
    }
    for (const [path, model] of models.current) {
      if (model.isDisposed()) continue;
      monaco.editor.setModelMarkers(model, 'compiler', markersFor(model, byPath.get(path) ?? []));
    }
  };

  const doReveal = (line: number, column: number) => {
    const ed = editorRef.current;
    if (!ed) return;
    ed.revealLineInCenter(line);
    ed.setPosition({ lineNumber: line, column });
    ed.focus();
  };

  // a new session: forget the previous one's models
  useEffect(() => {
    const ms = models.current;
    return () => {
      engine.current?.destroy();
      engine.current = null;
      for (const m of ms.values()) m.dispose();
      ms.clear();
      synced.current.clear();
      viewStates.current.clear();
      shownPath.current = null;
    };
  }, [sessionId]);

  // show the active file
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed) return;
    if (shownPath.current && shownPath.current !== active) viewStates.current.set(shownPath.current, ed.saveViewState());
    const m = active ? modelFor(active) : null;
    engine.current?.setActive(m ? active : null);
    if (ed.getModel() !== m) {
      ed.setModel(m);
      shownPath.current = m ? active : null;
      const vs = active ? viewStates.current.get(active) : null;
      if (vs) ed.restoreViewState(vs);
      markReady(ed, readOnly);
    }
    const p = pendingReveal.current;
    if (m && p && p.path === active) {
      pendingReveal.current = null;
      doReveal(p.line, p.column);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, activeLoaded, sessionId]);

  useEffect(() => {
    editorRef.current?.updateOptions({ readOnly, domReadOnly: readOnly });
  }, [readOnly]);

  // store → models: text changed elsewhere (reload, restore, rename) is put into the model
  useEffect(
    () =>
      workspace.subscribe((s, prev) => {
        if (s.files === prev.files) return;
        for (const [path, model] of models.current) {
          const f = s.files[path];
          if (!f) {
            engine.current?.detach(path);
            model.dispose();
            models.current.delete(path);
            synced.current.delete(path);
            continue;
          }
          if (!f.loaded || f.content === synced.current.get(path)) continue;
          synced.current.set(path, f.content);
          if (model.getValue() === f.content) continue;
          applying.current = true;
          try {
            model.pushEditOperations([], [{ range: model.getFullModelRange(), text: f.content }], () => null);
          } finally {
            applying.current = false;
          }
        }
      }),
    [],
  );

  // diagnostics → markers
  useEffect(() => runs.subscribe((s, prev) => s.diagnostics !== prev.diagnostics && applyMarkers()), []);

  // "go to file:line" from the terminal or the problems list
  useEffect(
    () =>
      ui.subscribe((s, prev) => {
        const r = s.reveal;
        if (!r || r === prev.reveal) return;
        if (r.path === workspace.getState().active && editorRef.current?.getModel()) {
          doReveal(r.line, r.column);
        } else {
          pendingReveal.current = { path: r.path, line: r.line, column: r.column };
          void workspace.getState().open(r.path);
        }
      }),
    [],
  );

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => void runSession());
    ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => stopRun());
    ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void workspace.getState().saveAll());
    const a = workspace.getState().active;
    const m = a ? modelFor(a) : null;
    engine.current?.setActive(m ? a : null);
    ed.setModel(m);
    shownPath.current = m ? a : null;
    ed.updateOptions({ readOnly, domReadOnly: readOnly });
    const w = window as unknown as Record<string, unknown>;
    w.__sandpitEditor = ed;
    w.__sandpitMonaco = monaco;
    w.__sandpitCollab = collab;
    markReady(ed, readOnly);
  };

  return (
    <div className="editor-host" data-testid="editor-host" data-coedit={coEdit}>
      {active && !activeLoaded && !activeBinary && <div className="editor-overlay">Loading {active}…</div>}
      {activeBinary && <div className="editor-overlay">{active} is a binary file.</div>}
      {!active && <div className="editor-overlay">No file. Create one in the file list.</div>}
      {active && !activeBinary && <ReadOnlyBanner />}
      <Editor
        theme={theme === 'dark' ? 'sandpit-dark' : 'sandpit-light'}
        onMount={onMount}
        keepCurrentModel
        loading={<div className="editor-loading">Loading the editor…</div>}
        options={EDITOR_OPTIONS}
      />
    </div>
  );
}

const EDITOR_OPTIONS: monaco.editor.IStandaloneEditorConstructionOptions = {
  automaticLayout: true,
  fontSize: 14,
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Cascadia Mono", Menlo, monospace',
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  tabSize: 4,
  renderWhitespace: 'selection',
  fixedOverflowWidgets: true,
  ariaLabel: 'Code editor',
};
