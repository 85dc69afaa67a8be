/**
 * The app's single instances: REST client, protocol client, terminal session and stores, wired
 * together. Components reach them through hooks (useStore) and call their actions.
 */
import { createStore } from 'zustand/vanilla';
import { createApi, type Api } from './api';
import { isLiveRun } from '../types/api';
import { createAuthStore } from './authStore';
import { createCatalogStore } from './catalogStore';
import { createHistoryStore } from './historyStore';
import { executeUrl, ProtocolClient, type ConnectionStatus } from './protocolClient';
import { createRunStore } from './runStore';
import { createSessionsStore } from './sessionsStore';
import { TerminalSession } from './terminalSession';
import { createToastStore } from './toastStore';
import { createUiStore } from './uiStore';
import { createWorkspaceStore } from './workspaceStore';
import { rememberMyRun } from './myRuns';
import { coEditHooks, createCollabStore } from './collabState';

export const toasts = createToastStore();

// eslint-disable-next-line prefer-const
let apiRef: Api;
export const auth = createAuthStore(() => apiRef, window.localStorage);

apiRef = createApi({
  getToken: () => auth.getState().token,
  onUnauthorized: () => {
    auth.getState().signOut();
    toasts.getState().push({ kind: 'warn', message: 'Your sign-in expired. Sign in again to go on.' });
  },
});
export const api = apiRef;

export const client = new ProtocolClient({ url: () => executeUrl(auth.getState().token) });

export const connection = createStore<{ status: ConnectionStatus; attempt: number }>()(() => ({ status: 'idle', attempt: 0 }));
client.onStatus((status, attempt) => {
  connection.setState({ status, attempt });
  // a socket that keeps failing may be refused for an expired token (the browser cannot tell):
  // ask the REST API, which signs out on 401
  if (status === 'reconnecting' && attempt === 3) void auth.getState().verify();
});

export const terminal = new TerminalSession();
terminal.info('Ready. Run with Ctrl+Enter; when the program asks for input, type here and press Enter.');
export const ui = createUiStore();
export const catalog = createCatalogStore(api);
export const sessions = createSessionsStore(api);
export const history = createHistoryStore(api);
/** Co-editing: which files are live, who is here (written by collab.ts, loaded with the editor). */
export const collab = createCollabStore();
export const workspace = createWorkspaceStore({
  api,
  coEdit: coEditHooks(collab),
  onError: (message) => toasts.getState().push({ kind: 'error', message }),
  onConflict: (path) =>
    toasts.getState().push({
      kind: 'warn',
      timeout: 0,
      message: `${path} was changed elsewhere. Your edits are kept.`,
      actions: [
        { label: 'Overwrite', run: () => void workspace.getState().save(path, { force: true }) },
        { label: 'Reload theirs', run: () => void workspace.getState().revert(path) },
      ],
    }),
});

export const runs = createRunStore({
  client,
  terminal,
  self: () => auth.getState().user?.id,
  onError: (e) => toasts.getState().push({ kind: 'error', message: friendlyError(e.code, e.message) }),
  onFinished: () => void history.getState().refresh(),
  onStarted: (jobId) => rememberMyRun(jobId),
  onLostStart: (req, at) => {
    // the execute may have reached the server: look for a run of ours that started since
    void history
      .getState()
      .refresh()
      .then(() => {
        const live = history.getState().runs.find((r) => isLiveRun(r) && r.started_at >= at - 5000 && r.user_id === auth.getState().user?.id);
        if (live) {
          runs.getState().follow({ jobId: live.id, sessionId: req.sessionId, language: req.language, compiled: req.compiled, canControl: true });
        } else {
          terminal.info('The run did not start. Press Run again.', 'warn');
        }
      });
  },
});

terminal.setInputTarget({
  acceptsInput: () => runs.getState().acceptsInput(),
  send: (d) => runs.getState().input(d),
  eof: () => runs.getState().eof(),
  interrupt: () => runs.getState().stop(),
});

client.onError((e) => toasts.getState().push({ kind: 'error', message: friendlyError(e.code, e.message) }));

// a new token means a new connection (the socket signs in with ?token=)
auth.subscribe((s, prev) => {
  if (s.token === prev.token) return;
  client.close();
  if (s.token) client.connect();
});

window.addEventListener('online', () => client.reconnectNow());

/** Error codes in words a person can act on. */
export function friendlyError(code: string, message: string): string {
  switch (code) {
    case 'language_unavailable':
      return `No worker serves this language right now (${message}). Try again in a moment or pick another language.`;
    case 'too_many_runs':
      return 'Too many runs at once. Wait for one to finish.';
    case 'rate_limited':
      return 'Too many runs in a minute. Wait a little and run again.';
    case 'quota_exceeded':
      return `Your storage is full: ${message}`;
    case 'invalid_field':
      return message;
    case 'forbidden':
      return `Not allowed: ${message}`;
    case 'unavailable':
      return `The server is busy or restarting: ${message}`;
    case 'code_too_large':
      return `The program is too large: ${message}`;
    default:
      return message;
  }
}

// for the end-to-end tests and for poking around in the console
(window as unknown as { __sandpit: unknown }).__sandpit = { client, terminal, runs, workspace, history, ui, connection };
