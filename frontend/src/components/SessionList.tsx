import { useStore } from 'zustand';
import { catalog, sessions, toasts, ui, workspace } from '../lib/services';
import { errorMessage } from '../lib/api';
import { confirmDialog, promptDialog } from '../lib/dialogStore';
import { navigate, sessionHref } from '../lib/router';
import type { Session } from '../types/api';

function ago(ms: number): string {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

export function SessionList({ activeId }: { activeId: string | null }) {
  const items = useStore(sessions, (s) => s.items);
  const total = useStore(sessions, (s) => s.total);
  const q = useStore(sessions, (s) => s.q);
  const language = useStore(sessions, (s) => s.language);
  const loading = useStore(sessions, (s) => s.loading);
  const error = useStore(sessions, (s) => s.error);
  const languages = useStore(catalog, (s) => s.languages);

  const rename = async (s: Session) => {
    const name = await promptDialog({ title: 'Rename session', input: s.name, confirmLabel: 'Rename' });
    if (!name || name === s.name) return;
    try {
      await sessions.getState().rename(s.id, name);
      if (workspace.getState().session?.id === s.id) workspace.getState().setSessionMeta({ name });
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  const remove = async (s: Session) => {
    const ok = await confirmDialog({
      title: `Delete “${s.name}”?`,
      message: 'Its files and run history are deleted for everyone it is shared with. This cannot be undone.',
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!ok) return;
    try {
      await sessions.getState().remove(s.id);
      toasts.getState().push({ kind: 'success', message: `Deleted “${s.name}”` });
      if (activeId === s.id) navigate('#/', true);
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  return (
    <div className="session-list">
      <div className="sidebar-head">
        <h2>Sessions</h2>
        <button className="btn small primary" onClick={() => ui.getState().setNewSession(true)}>
          + New
        </button>
      </div>
      <div className="filters">
        <input
          type="search"
          placeholder="Search names and code…"
          aria-label="Search sessions"
          value={q}
          onChange={(e) => sessions.getState().setQuery(e.target.value)}
        />
        <select aria-label="Filter by language" value={language} onChange={(e) => sessions.getState().setLanguage(e.target.value)}>
          <option value="">All languages</option>
          {languages.map((l) => (
            <option key={l.name} value={l.name}>
              {l.display ?? l.name}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}{' '}
          <button className="link" onClick={() => void sessions.getState().refresh()}>
            Retry
          </button>
        </p>
      )}
      <ul className="sessions" aria-busy={loading}>
        {items.map((s) => (
          <li key={s.id} className={s.id === activeId ? 'active' : ''}>
            <a
              href={sessionHref(s.id)}
              className="session-link"
              aria-current={s.id === activeId ? 'page' : undefined}
              onKeyDown={(e) => {
                if (e.key === 'F2') {
                  e.preventDefault();
                  void rename(s);
                } else if (e.key === 'Delete') {
                  e.preventDefault();
                  void remove(s);
                }
              }}
            >
              <span className="session-title">{s.name}</span>
              <span className="session-meta">
                <span className={`lang-tag lang-${s.language}`}>{s.language}</span> {ago(s.updated_at)}
                {s.role && s.role !== 'owner' ? ` · ${s.role}` : ''}
              </span>
            </a>
            <div className="row-actions">
              <button className="icon-btn small" aria-label={`Rename ${s.name}`} onClick={() => void rename(s)} title="Rename (F2)">
                ✎
              </button>
              <button className="icon-btn small" aria-label={`Delete ${s.name}`} onClick={() => void remove(s)} title="Delete (Del)">
                ✕
              </button>
            </div>
          </li>
        ))}
        {!items.length && !loading && <li className="muted empty-note">{q || language ? 'No session matches.' : 'No sessions yet.'}</li>}
      </ul>
      {items.length < total && (
        <button className="btn small" onClick={() => void sessions.getState().loadMore()}>
          Show more ({total - items.length})
        </button>
      )}
    </div>
  );
}
