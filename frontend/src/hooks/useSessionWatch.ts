/**
 * While a session is open: watch it over the WebSocket (runs started elsewhere are followed, file
 * changes pulled in) and, on opening, pick up a run that is still going (e.g. after a reload).
 */
import { useEffect } from 'react';
import { atLeast } from '../types/api';
import { api, client, catalog, history, runs, sessions, toasts, workspace } from '../lib/services';
import { navigate } from '../lib/router';
import { whoStarted } from './useRunActions';
import { isMyRun } from '../lib/myRuns';
import type { SessionEvent } from '../types/protocol';

function followRun(sessionId: string, jobId: string, userId?: string, userName?: string | null): void {
  const w = workspace.getState();
  const lang = w.session?.language;
  runs.getState().follow({
    jobId,
    sessionId,
    language: lang,
    compiled: !!catalog.getState().language(lang)?.compiled,
    canControl: atLeast(w.role ?? undefined, 'runner'),
    by: whoStarted(userId, userName),
    resumed: isMyRun(jobId),
  });
}

/**
 * On opening a session: a run still going (reload, another tab) is followed from the start; else
 * the last run's stored transcript is put back into the terminal.
 */
export async function pickUpLiveRun(sessionId: string): Promise<void> {
  history.getState().setSession(sessionId);
  await history.getState().refresh();
  const current = () => history.getState().sessionId === sessionId && workspace.getState().session?.id === sessionId;
  if (!current()) return;
  const live = history.getState().liveRun();
  const r = runs.getState();
  if (live && live.id !== r.jobId && !r.isLive()) {
    followRun(sessionId, live.id, live.user_id, live.user_name);
    return;
  }
  const last = history.getState().runs[0];
  if (!last || live || r.phase !== 'idle') return;
  try {
    const d = await api.getRun(last.id);
    if (!current() || runs.getState().phase !== 'idle') return;
    runs.getState().replay(d, `⟲ The last run, of ${new Date(d.started_at).toLocaleString()} (${d.language})`);
  } catch {
    /* the terminal just stays empty */
  }
}

export function useSessionWatch(sessionId: string | null): void {
  useEffect(() => {
    if (!sessionId) return;
    const onEvent = (e: SessionEvent) => {
      switch (e.kind) {
        case 'run_started': {
          void history.getState().refresh();
          const r = runs.getState();
          if (!e.job_id || e.job_id === r.jobId || r.phase === 'starting') return;
          if (r.isLive()) {
            toasts.getState().push({
              kind: 'info',
              message: `A run was started by ${whoStarted(e.user_id, e.user_name)}.`,
              actions: [{ label: 'Follow', run: () => followRun(sessionId, e.job_id!, e.user_id, e.user_name) }],
            });
          } else {
            followRun(sessionId, e.job_id, e.user_id, e.user_name);
          }
          break;
        }
        case 'run_finished':
          void history.getState().refresh();
          break;
        case 'files_changed':
          void workspace.getState().refresh(e.paths);
          break;
        case 'session_updated':
          workspace.getState().setSessionMeta({
            ...(e.name ? { name: e.name } : {}),
            ...(e.language ? { language: e.language } : {}),
            ...(e.settings ? { settings: e.settings } : {}),
          });
          sessions.getState().upsert({ id: sessionId, ...(e.name ? { name: e.name } : {}), ...(e.language ? { language: e.language } : {}) });
          break;
        case 'session_deleted':
          toasts.getState().push({ kind: 'warn', message: 'This session was deleted.' });
          void sessions.getState().refresh();
          navigate('#/', true);
          break;
      }
    };
    const stop = client.watch(sessionId, onEvent);

    return () => {
      stop();
    };
  }, [sessionId]);
}
