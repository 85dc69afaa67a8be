import { useStore } from 'zustand';
import { atLeast, isLiveRun, type Run } from '../types/api';
import { auth, catalog, history, runs, toasts, ui, workspace } from '../lib/services';
import { errorMessage } from '../lib/api';
import { formatBytesKb, formatMs, statusText } from '../lib/runStore';
import { confirmDialog } from '../lib/dialogStore';

function when(ms: number): string {
  const d = new Date(ms);
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}

/** Runs of the session: replay one in the terminal, restore its code, compare it with the current code. */
export function HistoryPanel() {
  const list = useStore(history, (s) => s.runs);
  const total = useStore(history, (s) => s.total);
  const loading = useStore(history, (s) => s.loading);
  const role = useStore(workspace, (s) => s.role);
  const me = useStore(auth, (s) => s.user?.id);
  const current = useStore(runs, (s) => s.jobId ?? s.replayOf);

  const replay = async (r: Run) => {
    try {
      const d = await history.getState().select(r.id);
      runs.getState().replay(d);
      ui.getState().setTab('terminal');
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  const follow = (r: Run) => {
    const w = workspace.getState();
    runs.getState().follow({
      jobId: r.id,
      sessionId: r.session_id,
      language: r.language,
      compiled: !!catalog.getState().language(r.language)?.compiled,
      canControl: atLeast(w.role ?? undefined, 'runner'),
      by: r.user_id === me ? 'you' : (r.user_name ?? 'another user'),
    });
    ui.getState().setTab('terminal');
  };

  const restore = async (r: Run) => {
    try {
      const d = await history.getState().select(r.id);
      const text = d.files.filter((f) => f.encoding !== 'base64');
      const ok = await confirmDialog({
        title: 'Restore this run’s code?',
        message: `${text.length} file(s) are put back into the editor as they were on ${when(d.started_at)}. Unsaved edits to them are replaced.`,
        confirmLabel: 'Restore',
      });
      if (!ok) return;
      await workspace.getState().restore(text.map((f) => ({ path: f.path, content: f.content })));
      toasts.getState().push({ kind: 'success', message: 'Code restored; it is saved like any edit.' });
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  const compare = async (r: Run) => {
    try {
      const d = await history.getState().select(r.id);
      const w = workspace.getState();
      const paths = new Set([...d.files.map((f) => f.path), ...Object.keys(w.files)]);
      const files = [];
      for (const path of [...paths].sort()) {
        const old = d.files.find((f) => f.path === path);
        let cur = w.files[path];
        if (cur && !cur.loaded && !cur.binary) {
          await w.open(path);
          cur = workspace.getState().files[path];
        }
        if (old?.encoding === 'base64' || cur?.binary) continue;
        files.push({ path, original: old?.content ?? '', modified: cur?.content ?? '' });
      }
      if (w.active) workspace.getState().open(w.active);
      ui.getState().openDiff({ title: `Run of ${when(d.started_at)} ↔ now`, files, sessionLanguage: w.session?.language ?? '' });
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  return (
    <div className="history">
      <div className="panel-head">
        <h2>Runs {total ? `(${total})` : ''}</h2>
        <button className="btn small" onClick={() => void history.getState().refresh()} aria-busy={loading}>
          Refresh
        </button>
      </div>
      {!list.length && <p className="muted pad">{loading ? 'Loading…' : 'No runs yet. Press Run (Ctrl+Enter).'}</p>}
      <ul className="runs">
        {list.map((r) => (
          <li key={r.id} className={r.id === current ? 'active' : ''}>
            <div className="run-info">
              <span className={`status status-${isLiveRun(r) ? 'live' : r.status}`}>{isLiveRun(r) ? '● running' : statusText(r.status)}</span>
              <span>{when(r.started_at)}</span>
              <span className="muted">
                {r.language}
                {r.exit_code != null ? ` · exit ${r.exit_code}` : ''}
                {r.wall_ms != null ? ` · ${formatMs(r.wall_ms)}` : ''}
                {r.memory_kb != null ? ` · ${formatBytesKb(r.memory_kb)}` : ''}
                {r.user_id !== me ? ` · by ${r.user_name ?? 'another user'}` : ''}
              </span>
            </div>
            <div className="run-actions">
              {isLiveRun(r) ? (
                <button className="btn small" onClick={() => follow(r)}>
                  Follow
                </button>
              ) : (
                <button className="btn small" onClick={() => void replay(r)}>
                  Replay
                </button>
              )}
              {atLeast(role ?? undefined, 'editor') && (
                <button className="btn small" onClick={() => void restore(r)}>
                  Restore
                </button>
              )}
              <button className="btn small" onClick={() => void compare(r)}>
                Compare
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
