/**
 * Co-editing of one session's text files: one Y.Doc and y-websocket provider per file open in the
 * editor (room `<session>/<encodeURIComponent(path)>`, text in `doc.getText('content')`), bound to
 * the file's Monaco model by y-monaco, with awareness for names, cursors and presence. Loaded with
 * the editor (y-monaco imports Monaco); what the rest of the app reads is in collabState.ts.
 *
 * A file whose socket never syncs (an older gateway without /ws/collab, COLLAB_CONNECT_TIMEOUT_MS)
 * is left to the REST save path as before.
 */
import * as Y from 'yjs';
import { WebsocketProvider, messageAuth } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import type { Awareness } from 'y-protocols/awareness';
import { MonacoBinding } from 'y-monaco';
import type { monaco } from './monacoSetup';
import {
  COLLAB_CONNECT_TIMEOUT_MS,
  FILE_OF_RECORD_DELAY_MS,
  FILE_OF_RECORD_MARGIN_MS,
  TYPING_IDLE_MS,
  colorForId,
  collabRoom,
  nextMode,
  nextTypingExpiry,
  presenceUnion,
  rebaseLocalEdit,
  remoteCursorsCss,
  type AwarenessState,
  type CollabEvent,
  type CollabStore,
  type RemoteState,
} from './collabState';

type IEditor = monaco.editor.IStandaloneCodeEditor;
type IModel = monaco.editor.ITextModel;

/** y-protocols' awareness timestamps are ms since the epoch. */
const now = () => Date.now();

export interface CollabDeps {
  store: CollabStore;
  sessionId: string;
  /** ws(s)://host/ws/collab */
  url: string;
  token: () => string | null;
  user: () => { id: string; name: string } | null;
  editor: IEditor;
  /** may the user edit (editor role or above)? A viewer's documents are only followed. */
  canEdit: () => boolean;
  /** the server refused our edits; called once per session */
  onDenied: (reason: string) => void;
  /** a local pre-sync edit could not be merged into the document */
  onLostEdit: (path: string) => void;
  /** a live file's socket synced again after being away: its text is on the server */
  onResynced: (path: string) => void;
  /** the text the file was loaded with (the last saved), for merging pre-sync edits */
  savedText: (path: string) => string | undefined;
  WebSocketImpl?: typeof WebSocket;
}

interface FileDoc {
  path: string;
  doc: Y.Doc;
  provider: WebsocketProvider;
  model: IModel;
  binding: MonacoBinding | null;
  /** ms since the epoch of our last edit that went into the document */
  lastLocalEditAt: number;
  /** we edited while the socket was away: not on the server until it syncs again */
  editedOffline: boolean;
  everSynced: boolean;
  connectTimer: ReturnType<typeof setTimeout> | null;
  typingTimer: ReturnType<typeof setTimeout> | null;
}

/** The style element holding the remote cursors' colours and labels. */
const CURSOR_STYLE_ID = 'sandpit-remote-cursors';

export class SessionCollab {
  private readonly files = new Map<string, FileDoc>();
  private active: string | null = null;
  private deniedOnce = false;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** the session's collab endpoint is missing: later files go straight to REST */
  private unavailable = false;
  private readonly onPageHide = () => {
    // say goodbye in every document so the others drop us now rather than in 30 s
    for (const f of this.files.values()) f.provider.awareness.setLocalState(null);
  };

  constructor(private readonly deps: CollabDeps) {
    deps.store.setState({ sessionId: deps.sessionId, modes: {}, connected: {}, denied: null, peers: [], flush: (p) => this.flushed(p) });
    window.addEventListener('pagehide', this.onPageHide);
  }

  /** Start co-editing a file whose model the editor has. */
  attach(path: string, model: IModel): void {
    if (this.files.has(path)) return;
    if (this.unavailable) {
      this.setMode(path, 'rest');
      return;
    }
    const doc = new Y.Doc();
    const user = this.deps.user();
    const id = user?.id ?? `anon-${doc.clientID}`;
    const token = this.deps.token();
    const provider = new WebsocketProvider(this.deps.url, collabRoom(this.deps.sessionId, path), doc, {
      params: token ? { token } : {},
      // the server is the one place documents meet: no second path through BroadcastChannel, so
      // "live" always means "reaching the server"
      disableBc: true,
      ...(this.deps.WebSocketImpl ? { WebSocketPolyfill: this.deps.WebSocketImpl } : {}),
    });
    const f: FileDoc = { path, doc, provider, model, binding: null, lastLocalEditAt: 0, editedOffline: false, everSynced: false, connectTimer: null, typingTimer: null };
    this.files.set(path, f);
    provider.awareness.setLocalState({
      user: { id, name: user?.name ?? 'someone', color: colorForId(id) },
      file: this.active,
      typing: false,
    } satisfies AwarenessState);
    // the server's "permission denied" (y-protocols auth message), instead of y-websocket's console.warn
    provider.messageHandlers[messageAuth] = (_enc, decoder, p) =>
      authProtocol.readAuthMessage(decoder, p.doc, (_doc, reason) => this.denied(f, reason));
    provider.on('sync', (synced: boolean) => synced && this.onSynced(f));
    provider.on('status', () => this.setConnected(f));
    provider.on('connection-close', () => {
      this.setConnected(f);
      if (!f.everSynced) this.event(f, 'closed-before-sync');
    });
    provider.on('closed', ({ reason }: { code: number; reason: string }) => {
      // a close the provider does not retry (4400-4499): a revoked share, a deleted session
      if (f.everSynced) this.denied(f, reason || 'the server closed co-editing of this file');
    });
    provider.awareness.on('change', this.onAwareness);
    doc.on('update', (_u: Uint8Array, origin: unknown) => {
      if (f.binding && origin === f.binding) this.localEdit(f);
    });
    f.connectTimer = setTimeout(() => this.event(f, 'timeout'), COLLAB_CONNECT_TIMEOUT_MS);
    this.setMode(path, 'pending');
  }

  /** Stop co-editing a file (closed, deleted, renamed away). */
  detach(path: string): void {
    const f = this.files.get(path);
    if (!f) return;
    this.files.delete(path);
    this.dispose(f);
    const { modes, connected } = this.deps.store.getState();
    const m = { ...modes };
    const c = { ...connected };
    delete m[path];
    delete c[path];
    this.deps.store.setState({ modes: m, connected: c });
    this.onAwareness();
  }

  /** The file shown in the editor, published in every document's awareness. */
  setActive(path: string | null): void {
    if (path === this.active) return;
    this.active = path;
    for (const f of this.files.values()) f.provider.awareness.setLocalStateField('file', path);
  }

  /** Resolves true once the server has had time to write the file of record of our edits. */
  async flushed(path?: string): Promise<boolean> {
    const targets = path ? [this.files.get(path)].filter((f): f is FileDoc => !!f) : [...this.files.values()];
    let ok = true;
    for (const f of targets) {
      if (!f.binding || f.lastLocalEditAt === 0) continue;
      const wait = f.lastLocalEditAt + FILE_OF_RECORD_DELAY_MS + FILE_OF_RECORD_MARGIN_MS - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (f.editedOffline) ok = false;
    }
    return ok;
  }

  destroy(): void {
    window.removeEventListener('pagehide', this.onPageHide);
    for (const f of this.files.values()) this.dispose(f);
    this.files.clear();
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    document.getElementById(CURSOR_STYLE_ID)?.remove();
    if (this.deps.store.getState().sessionId === this.deps.sessionId) {
      this.deps.store.setState({ sessionId: null, modes: {}, connected: {}, denied: null, peers: [], flush: null });
    }
  }

  // ---- internals ----

  private dispose(f: FileDoc): void {
    if (f.connectTimer) clearTimeout(f.connectTimer);
    if (f.typingTimer) clearTimeout(f.typingTimer);
    f.provider.awareness.off('change', this.onAwareness);
    f.binding?.destroy();
    f.binding = null;
    f.provider.awareness.setLocalState(null);
    f.provider.destroy();
    f.doc.destroy();
  }

  private setMode(path: string, mode: 'pending' | 'live' | 'rest'): void {
    const s = this.deps.store.getState();
    if (s.modes[path] !== mode) this.deps.store.setState({ modes: { ...s.modes, [path]: mode } });
  }

  private setConnected(f: FileDoc): void {
    if (this.files.get(f.path) !== f) return;
    const c = f.everSynced && f.provider.wsconnected && f.provider.synced;
    const s = this.deps.store.getState();
    if (!!s.connected[f.path] !== c) this.deps.store.setState({ connected: { ...s.connected, [f.path]: c } });
  }

  private event(f: FileDoc, e: CollabEvent): void {
    if (this.files.get(f.path) !== f) return;
    const before = this.deps.store.getState().modes[f.path] ?? 'pending';
    const after = nextMode(before, e);
    if (after === before) return;
    if (f.connectTimer) clearTimeout(f.connectTimer);
    f.connectTimer = null;
    if (after === 'rest') {
      // no co-editing here: stop trying, save this file (and the session's others) as before
      this.unavailable = true;
      this.files.delete(f.path);
      this.dispose(f);
    }
    this.setMode(f.path, after);
  }

  private onSynced(f: FileDoc): void {
    if (this.files.get(f.path) !== f) return;
    if (!f.everSynced) {
      // live first, so the binding's first text reaches the workspace as a saved (co-edited) edit
      f.everSynced = true;
      this.event(f, 'synced');
      this.setConnected(f);
      this.bind(f);
    } else {
      // the sync exchanged what either side missed: what we typed meanwhile is on the server now
      f.editedOffline = false;
      this.setConnected(f);
      this.deps.onResynced(f.path);
    }
  }

  /** First sync: put what was typed while connecting into the document, then bind the model. */
  private bind(f: FileDoc): void {
    const ytext = f.doc.getText('content');
    const local = f.model.getValue();
    const remote = ytext.toString();
    const base = this.deps.savedText(f.path);
    if (local !== remote && base !== undefined && local !== base && this.deps.canEdit() && !this.deps.store.getState().denied) {
      const splice = rebaseLocalEdit(base, local, remote);
      if (splice) {
        f.doc.transact(() => {
          if (splice.remove) ytext.delete(splice.index, splice.remove);
          if (splice.insert) ytext.insert(splice.index, splice.insert);
        }, 'pre-sync');
        f.lastLocalEditAt = now();
      } else {
        this.deps.onLostEdit(f.path);
      }
    }
    // MonacoBinding puts the document's text into the model, then keeps both in step
    f.binding = new MonacoBinding(ytext, f.model, new Set([this.deps.editor]), f.provider.awareness);
  }

  private localEdit(f: FileDoc): void {
    f.lastLocalEditAt = now();
    if (!f.provider.wsconnected || !f.provider.synced) f.editedOffline = true;
    const aw = f.provider.awareness;
    if (aw.getLocalState()?.typing !== true) aw.setLocalStateField('typing', true);
    if (f.typingTimer) clearTimeout(f.typingTimer);
    f.typingTimer = setTimeout(() => {
      f.typingTimer = null;
      if (aw.getLocalState()) aw.setLocalStateField('typing', false);
    }, TYPING_IDLE_MS);
  }

  private denied(f: FileDoc, reason: string): void {
    if (this.files.get(f.path) !== f) return;
    if (!this.deps.store.getState().denied) this.deps.store.setState({ denied: reason || 'permission denied' });
    if (!this.deniedOnce) {
      this.deniedOnce = true;
      this.deps.onDenied(reason);
    }
  }

  /** Awareness changed in some document: the cursors' CSS and the presence list follow. */
  private readonly onAwareness = () => {
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
    const remote: RemoteState[] = [];
    const cursors: Array<[number, AwarenessState]> = [];
    const own = new Set<number>();
    for (const f of this.files.values()) own.add(f.doc.clientID);
    for (const f of this.files.values()) {
      const aw: Awareness = f.provider.awareness;
      aw.getStates().forEach((state, clientId) => {
        if (own.has(clientId)) return;
        remote.push({ clientId, state: state as AwarenessState, updatedAt: aw.meta.get(clientId)?.lastUpdated ?? now() });
        cursors.push([clientId, state as AwarenessState]);
      });
    }
    const t = now();
    this.deps.store.setState({ peers: presenceUnion(remote, t, this.deps.user()?.id) });
    writeCursorCss(remoteCursorsCss(cursors));
    const next = nextTypingExpiry(remote, t);
    if (next !== null) this.presenceTimer = setTimeout(this.onAwareness, next - t);
  };
}

function writeCursorCss(css: string): void {
  let el = document.getElementById(CURSOR_STYLE_ID) as HTMLStyleElement | null;
  if (!el) {
    if (!css) return;
    el = document.createElement('style');
    el.id = CURSOR_STYLE_ID;
    document.head.appendChild(el);
  }
  if (el.textContent !== css) el.textContent = css;
}
