import { lazy, Suspense, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { catalog, runs, sessions, toasts, ui, workspace } from '../lib/services';
import { navigate, sessionHref } from '../lib/router';
import { errorMessage } from '../lib/api';
import { runSession, stopRun } from '../hooks/useRunActions';
import { pickUpLiveRun, useSessionWatch } from '../hooks/useSessionWatch';
import { TopBar } from './TopBar';
import { SessionList } from './SessionList';
import { FileTree } from './FileTree';
import { BottomPanel } from './BottomPanel';
import { StatusLine } from './StatusLine';
import { ShareDialog } from './ShareDialog';
import { NewSessionDialog } from './NewSessionDialog';
import { ShortcutsDialog } from './ShortcutsDialog';
import { ErrorBoundary } from './ErrorBoundary';

const EditorPane = lazy(() => import('./EditorPane'));
const DiffDialog = lazy(() => import('./DiffDialog'));

/** Opens the newest session, or makes a first one so a new guest lands on a working editor. */
async function openDefaultSession(): Promise<void> {
  await sessions.getState().refresh();
  const first = sessions.getState().items[0];
  if (first) {
    navigate(sessionHref(first.id), true);
    return;
  }
  await catalog.getState().refresh();
  const served = new Set(catalog.getState().languages.map((l) => l.name));
  const templates = catalog.getState().templates;
  const t =
    templates.find((x) => x.id === 'python-hello' && served.has('python')) ??
    templates.find((x) => x.kind === 'hello' && served.has(x.language)) ??
    templates[0];
  if (!t) return;
  const s = await sessions.getState().create(t.id);
  navigate(sessionHref(s.id), true);
}

function editorFallback() {
  return (
    <div className="editor-loading" role="status">
      Loading the editor…
    </div>
  );
}

export function Ide({ sessionId }: { sessionId: string | null }) {
  const sidebarOpen = useStore(ui, (s) => s.sidebarOpen);
  const diff = useStore(ui, (s) => s.diff);
  const loadError = useStore(workspace, (s) => s.loadError);
  const loading = useStore(workspace, (s) => s.loading);
  const hasSession = useStore(workspace, (s) => !!s.session);
  const mainRef = useRef<HTMLElement>(null);

  useSessionWatch(sessionId);

  useEffect(() => {
    void sessions.getState().refresh();
    // start fetching Monaco right away, while the session loads
    void import('./EditorPane');
  }, []);

  useEffect(() => {
    if (!sessionId) {
      workspace.getState().close();
      openDefaultSession().catch((e) => toasts.getState().push({ kind: 'error', message: errorMessage(e) }));
      return;
    }
    if (runs.getState().sessionId && runs.getState().sessionId !== sessionId) runs.getState().reset();
    workspace
      .getState()
      .load(sessionId)
      .then(() => pickUpLiveRun(sessionId))
      .catch((e) => {
        toasts.getState().push({ kind: 'error', message: `Cannot open the session: ${errorMessage(e)}` });
      });
    if (window.innerWidth <= 900) ui.getState().setSidebar(false);
  }, [sessionId]);

  // keyboard shortcuts that work everywhere (the editor and terminal pass them through); none of
  // them takes a key that types a character where text is being typed
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const typing = isTextTarget(e.target);
      if (mod && e.key === 'Enter') {
        e.preventDefault();
        if (e.shiftKey) stopRun();
        else void runSession();
      } else if (mod && (e.key === 's' || e.key === 'S') && !e.shiftKey) {
        e.preventDefault();
        void workspace.getState().saveAll();
      } else if (e.altKey && !mod && /^Digit[1-5]$/.test(e.code) && !(typing && e.key !== e.code.slice(5))) {
        // (where Alt+digit types a character, e.g. ¡ with macOS's Option, the text gets it)
        e.preventDefault();
        const target = ['#editor-region', '#terminal-region', '#files-region', '#sessions-region', '#history-region'][Number(e.code.slice(5)) - 1];
        if (target === '#sessions-region') ui.getState().setSidebar(true);
        if (target === '#history-region') ui.getState().setTab('history');
        if (target === '#terminal-region') ui.getState().setTab('terminal');
        requestAnimationFrame(() => {
          const el = document.querySelector<HTMLElement>(target);
          const focusable = el?.querySelector<HTMLElement>('textarea, input, button, [tabindex="0"]') ?? el;
          focusable?.focus();
        });
      } else if (e.key === 'F1' || (e.key === '?' && !mod && !e.altKey && !typing)) {
        e.preventDefault();
        ui.getState().setShortcuts(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className={`ide ${sidebarOpen ? 'with-sidebar' : ''}`}>
      <a className="skip-link" href="#editor-region" onClick={(e) => (e.preventDefault(), document.querySelector<HTMLElement>('#editor-region textarea')?.focus())}>
        Skip to the editor
      </a>
      <TopBar />
      <aside id="sessions-region" className="sidebar" aria-label="Sessions" hidden={!sidebarOpen}>
        <ErrorBoundary compact label="The session list">
          <SessionList activeId={sessionId} />
        </ErrorBoundary>
      </aside>
      {sidebarOpen && <div className="scrim" onClick={() => ui.getState().setSidebar(false)} aria-hidden />}
      <main ref={mainRef} className="workspace" aria-busy={loading}>
        {loadError && !hasSession ? (
          <div className="empty" role="alert">
            <p>{loadError}</p>
            <button className="btn primary" onClick={() => navigate('#/', true)}>
              Open my sessions
            </button>
          </div>
        ) : (
          <>
            <section id="files-region" className="files" aria-label="Files">
              <ErrorBoundary compact label="The file tree">
                <FileTree />
              </ErrorBoundary>
            </section>
            <section id="editor-region" className="editor" aria-label="Editor">
              <ErrorBoundary compact label="The editor">
                <Suspense fallback={editorFallback()}>{hasSession ? <EditorPane /> : editorFallback()}</Suspense>
              </ErrorBoundary>
            </section>
            <section className="bottom" aria-label="Output">
              <ErrorBoundary compact label="The output panel">
                <BottomPanel />
              </ErrorBoundary>
            </section>
          </>
        )}
      </main>
      <StatusLine />
      <ShareDialog />
      <NewSessionDialog />
      <ShortcutsDialog />
      {diff && (
        <Suspense fallback={null}>
          <ErrorBoundary compact label="The diff view">
            <DiffDialog />
          </ErrorBoundary>
        </Suspense>
      )}
    </div>
  );
}

/**
 * Whether keys sent to this element type text: form fields, contenteditable, and the editor and
 * terminal whatever element they type into (Monaco uses an EditContext div in Chromium, not a
 * textarea; xterm.js a hidden textarea).
 */
export function isTextTarget(t: EventTarget | null): boolean {
  const el = t as (HTMLElement & { editContext?: unknown }) | null;
  if (!el || typeof el.closest !== 'function') return false;
  if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable || el.editContext) return true;
  return !!el.closest('.monaco-editor, .xterm, [contenteditable=""], [contenteditable="true"]');
}
