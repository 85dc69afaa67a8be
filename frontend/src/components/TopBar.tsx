import { useStore } from 'zustand';
import { atLeast } from '../types/api';
import { api, auth, catalog, runs, sessions, toasts, ui, workspace } from '../lib/services';
import { errorMessage } from '../lib/api';
import { displayWithCompiler, LANGUAGE_INFO } from '../lib/languages';
import { promptDialog } from '../lib/dialogStore';
import { navigate } from '../lib/router';
import { runSession, stopRun } from '../hooks/useRunActions';
import { ConnectionBadge } from './ConnectionBadge';
import { FlagsPicker } from './FlagsPicker';
import { PresenceAvatars } from './PresenceAvatars';

export function TopBar() {
  const session = useStore(workspace, (s) => s.session);
  const role = useStore(workspace, (s) => s.role);
  const languages = useStore(catalog, (s) => s.languages);
  const loaded = useStore(catalog, (s) => s.loaded);
  const live = useStore(runs, (s) => s.isLive());
  const canStop = useStore(runs, (s) => s.canControl);
  const sidebarOpen = useStore(ui, (s) => s.sidebarOpen);
  const theme = useStore(ui, (s) => s.theme);
  const user = useStore(auth, (s) => s.user);

  const served = session ? languages.some((l) => l.name === session.language) : true;
  const canEdit = atLeast(role ?? undefined, 'editor');
  const canRun = atLeast(role ?? undefined, 'runner');

  const rename = async () => {
    if (!session) return;
    const name = await promptDialog({ title: 'Rename session', input: session.name, inputLabel: 'Name', confirmLabel: 'Rename' });
    if (!name || name === session.name) return;
    try {
      await sessions.getState().rename(session.id, name);
      workspace.getState().setSessionMeta({ name });
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  const changeLanguage = async (language: string) => {
    if (!session || language === session.language) return;
    try {
      const s = await api.updateSession(session.id, { language });
      workspace.getState().setSessionMeta({ language: s.language });
      sessions.getState().upsert(s);
      // a session switched to a language it has no file for gets that language's hello program
      const info = LANGUAGE_INFO[language];
      const files = Object.keys(workspace.getState().files);
      if (info && !files.some((p) => info.extensions.some((x) => p.endsWith(x)))) {
        const t = catalog.getState().templates.find((x) => x.language === language && x.kind === 'hello');
        const f = t?.files[0];
        if (f && canEdit) await workspace.getState().create(f.path, f.content);
      }
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  return (
    <header className="topbar">
      <button
        className="icon-btn"
        aria-label={sidebarOpen ? 'Hide sessions' : 'Show sessions'}
        aria-expanded={sidebarOpen}
        aria-controls="sessions-region"
        onClick={() => ui.getState().setSidebar(!sidebarOpen)}
      >
        ☰
      </button>
      <a className="brand" href="#/" onClick={(e) => (e.preventDefault(), navigate('#/'))} aria-label="Sandpit home">
        <span className="logo" aria-hidden>
          ▚
        </span>
        <span className="brand-name">Sandpit</span>
      </a>
      {session && (
        <button className="session-name" onClick={rename} disabled={role !== 'owner' && role !== 'editor'} title="Rename (owner/editor)">
          {session.name}
        </button>
      )}
      <div className="spacer" />
      {session && <PresenceAvatars />}
      {session && (
        <>
          <label className="sr-only" htmlFor="language-picker">
            Language
          </label>
          <select
            id="language-picker"
            className="select"
            value={session.language}
            onChange={(e) => void changeLanguage(e.target.value)}
            disabled={!canEdit}
            aria-invalid={!served}
            title={served ? 'Language' : 'No live worker serves this language'}
          >
            {!served && (
              <option value={session.language} disabled>
                {session.language} (unavailable)
              </option>
            )}
            {languages.map((l) => (
              <option key={l.name} value={l.name}>
                {l.name === session.language && LANGUAGE_INFO[l.name]?.cFamily
                  ? displayWithCompiler(l.display ?? l.name, session.settings?.compiler)
                  : (l.display ?? l.name)}
              </option>
            ))}
            {!loaded && <option value={session.language}>{session.language}</option>}
          </select>
          {LANGUAGE_INFO[session.language]?.cFamily && <FlagsPicker sessionId={session.id} family={LANGUAGE_INFO[session.language].cFamily!} />}
          {live ? (
            <button className="btn stop" onClick={stopRun} disabled={!canStop} title="Stop (Ctrl+Shift+Enter)" data-testid="stop">
              ■ Stop
            </button>
          ) : (
            <button className="btn run" onClick={() => void runSession()} disabled={!canRun || !served} title="Run (Ctrl+Enter)" data-testid="run">
              ▶ Run
            </button>
          )}
          {role === 'owner' && (
            <button className="btn ghost" onClick={() => ui.getState().setShare(true)}>
              Share
            </button>
          )}
        </>
      )}
      <button className="btn ghost" onClick={() => ui.getState().setNewSession(true)} title="New session">
        + New
      </button>
      <button className="icon-btn" onClick={() => ui.getState().toggleTheme()} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      <button className="icon-btn" onClick={() => ui.getState().setShortcuts(true)} aria-label="Keyboard shortcuts">
        ?
      </button>
      <ConnectionBadge />
      {user && (
        <details className="user-menu">
          <summary aria-label="Account">{user.guest ? 'guest' : user.username}</summary>
          <div className="menu">
            <p className="muted">{user.guest ? `Guest ${user.username}` : `Signed in as ${user.username}`}</p>
            <button className="btn" onClick={() => auth.getState().signOut()}>
              Sign out
            </button>
          </div>
        </details>
      )}
    </header>
  );
}
