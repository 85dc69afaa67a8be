/**
 * Co-editing state the whole app reads (main chunk; no Yjs here): how each open file is edited
 * (live through the session's Yjs documents, or saved over REST as before), whether the server
 * refused our edits, and who is in the session. The engine that owns the documents (collab.ts) is
 * loaded with the editor and writes this store. Also the pure parts of co-editing: colours, the
 * remote-cursor CSS, the presence union and the fallback decision.
 */
import { createStore } from 'zustand/vanilla';

/** How a file is edited: `pending` while its collab socket is trying, then `live` or `rest`. */
export type CoEditMode = 'pending' | 'live' | 'rest';

/** A collab socket that has not synced in this long is given up: the file is saved over REST. */
export const COLLAB_CONNECT_TIMEOUT_MS = 5000;
/** The server writes the file of record from the document at most this long after the last edit. */
export const FILE_OF_RECORD_DELAY_MS = 1000;
/** Slack on top of FILE_OF_RECORD_DELAY_MS before a run may read the file (the edit's trip, the write). */
export const FILE_OF_RECORD_MARGIN_MS = 250;
/** A local edit shows us as typing for this long after it. */
export const TYPING_IDLE_MS = 1500;
/** A remote "typing" older than this is not shown (its clearing update may be lost). */
export const TYPING_SHOWN_MAX_MS = 3000;

// ---------------------------------------------------------------------------------------------
// The fallback decision
// ---------------------------------------------------------------------------------------------

/** What happened to a file's collab socket. */
export type CollabEvent =
  /** sync step 2 arrived: the document is the server's */
  | 'synced'
  /** the socket closed (or never opened) before the document synced: no collab endpoint, or refused */
  | 'closed-before-sync'
  /** COLLAB_CONNECT_TIMEOUT_MS passed without a sync */
  | 'timeout';

/**
 * The mode after an event. A file goes live on its first sync and stays live (the provider
 * reconnects and Yjs merges what was typed meanwhile); a socket that closes or times out before
 * its first sync means the server has no co-editing for it (an older gateway answers the upgrade
 * with 404), so the file is saved over REST exactly as before.
 */
export function nextMode(mode: CoEditMode, event: CollabEvent): CoEditMode {
  if (mode !== 'pending') return mode;
  return event === 'synced' ? 'live' : 'rest';
}

// ---------------------------------------------------------------------------------------------
// Colours and remote cursors
// ---------------------------------------------------------------------------------------------

const HUE_DEGREES = 360;
const CURSOR_SATURATION_PCT = 70;
const CURSOR_LIGHTNESS_PCT = 45;
/** The remote selection's background: the user's colour at this opacity (hex alpha). */
const SELECTION_ALPHA_HEX = '33';

/** FNV-1a of a string, avalanched. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser: ids that differ in one character (u1, u2) get far-apart hues
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hslToHex(h: number, sPct: number, lPct: number): string {
  const s = sPct / 100;
  const l = lPct / 100;
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const hex = (x: number) =>
    Math.round(x * 255)
      .toString(16)
      .padStart(2, '0');
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`;
}

/** A stable colour (#rrggbb) for a user id: the same user has the same colour in every browser. */
export function colorForId(id: string): string {
  return hslToHex(hash32(id) % HUE_DEGREES, CURSOR_SATURATION_PCT, CURSOR_LIGHTNESS_PCT);
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** A colour from the wire is used only if it is a plain #rrggbb (it goes into a style sheet). */
export function safeColor(color: unknown, id: string): string {
  return typeof color === 'string' && HEX_COLOR.test(color) ? color : colorForId(id);
}

/** A string as a CSS string literal: every character but letters, digits and spaces escaped. */
export function cssString(s: string): string {
  let out = '';
  for (const ch of s) out += /[A-Za-z0-9 ]/.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `;
  return `"${out}"`;
}

/** The user part of an awareness state, as the app writes it. */
export interface AwarenessUser {
  name: string;
  color: string;
  id: string;
}

/** The awareness state each client publishes in each document it has open. */
export interface AwarenessState {
  user?: Partial<AwarenessUser>;
  file?: string | null;
  typing?: boolean;
  selection?: unknown;
}

/**
 * The CSS of one remote client's cursor and selection in Monaco: y-monaco marks them with
 * `.yRemoteSelection-<clientID>` and `.yRemoteSelectionHead-<clientID>`; the head gets the name as a
 * label (styles.css places it).
 */
export function remoteCursorCss(clientId: number, user: Partial<AwarenessUser>): string {
  if (!Number.isSafeInteger(clientId) || clientId < 0) return '';
  const id = String(user.id ?? clientId);
  const color = safeColor(user.color, id);
  const name = cssString(String(user.name ?? 'someone'));
  return (
    `.yRemoteSelection-${clientId} { background-color: ${color}${SELECTION_ALPHA_HEX}; }\n` +
    `.yRemoteSelectionHead-${clientId} { border-color: ${color}; }\n` +
    `.yRemoteSelectionHead-${clientId}::after { content: ${name}; background-color: ${color}; }\n`
  );
}

/** The style sheet for every remote client of every open document (each client once). */
export function remoteCursorsCss(states: Iterable<[number, AwarenessState]>): string {
  const seen = new Set<number>();
  let css = '';
  for (const [clientId, state] of states) {
    if (seen.has(clientId) || !state?.user) continue;
    seen.add(clientId);
    css += remoteCursorCss(clientId, state.user);
  }
  return css;
}

// ---------------------------------------------------------------------------------------------
// Presence
// ---------------------------------------------------------------------------------------------

/** One remote client's state in one document, with when it last renewed it. */
export interface RemoteState {
  clientId: number;
  state: AwarenessState;
  /** ms since the epoch */
  updatedAt: number;
}

/** Someone in the session, as the top bar shows them. */
export interface Peer {
  id: string;
  name: string;
  color: string;
  /** the file they have open (the most recently renewed of their states) */
  file: string | null;
  typing: boolean;
  /** it is the signed-in user in another tab */
  self: boolean;
}

/**
 * Who is in the session: the union of the remote awareness states of every open document, one
 * entry per user (a user's states in several documents or tabs are one person). A user types if
 * any of their states says so and was renewed within TYPING_SHOWN_MAX_MS. Sorted by name.
 */
export function presenceUnion(states: Iterable<RemoteState>, now: number, selfId?: string | null): Peer[] {
  const byUser = new Map<string, Peer & { at: number }>();
  for (const { clientId, state, updatedAt } of states) {
    const u = state?.user;
    if (!u) continue;
    const id = String(u.id ?? `client-${clientId}`);
    const typing = state.typing === true && now - updatedAt < TYPING_SHOWN_MAX_MS;
    const file = typeof state.file === 'string' ? state.file : null;
    const prev = byUser.get(id);
    if (!prev) {
      byUser.set(id, { id, name: String(u.name ?? 'someone'), color: safeColor(u.color, id), file, typing, self: id === selfId, at: updatedAt });
    } else {
      prev.typing ||= typing;
      if (updatedAt > prev.at) {
        prev.at = updatedAt;
        if (file) prev.file = file;
      } else if (!prev.file) prev.file = file;
    }
  }
  return [...byUser.values()]
    .map(({ at: _at, ...p }) => p)
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** When a shown "typing" runs out (ms since the epoch), so the list is recomputed then; null: none. */
export function nextTypingExpiry(states: Iterable<RemoteState>, now: number): number | null {
  let next: number | null = null;
  for (const { state, updatedAt } of states) {
    if (state?.typing !== true) continue;
    const at = updatedAt + TYPING_SHOWN_MAX_MS;
    if (at > now && (next === null || at < next)) next = at;
  }
  return next;
}

/** The y-websocket server URL of the gateway serving this page (rooms are `<session>/<path>`). */
export function collabUrl(loc: { protocol: string; host: string } = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws/collab`;
}

/** The room of a file: y-websocket appends it to the URL, so the path is one encoded segment. */
export function collabRoom(sessionId: string, path: string): string {
  return `${sessionId}/${encodeURIComponent(path)}`;
}

/**
 * What was typed before a file's document synced, as one splice of the document: `base` is the
 * text the file was loaded with, `local` what it became here, `remote` the document's text. Null
 * if the edit cannot be placed (the document changed both before and after it).
 */
export function rebaseLocalEdit(base: string, local: string, remote: string): { index: number; remove: number; insert: string } | null {
  if (local === base) return { index: 0, remove: 0, insert: '' };
  let pre = 0;
  const max = Math.min(base.length, local.length);
  while (pre < max && base[pre] === local[pre]) pre++;
  let suf = 0;
  while (suf < max - pre && base[base.length - 1 - suf] === local[local.length - 1 - suf]) suf++;
  const before = base.slice(0, pre);
  const after = base.slice(base.length - suf);
  const removed = base.slice(pre, base.length - suf);
  const insert = local.slice(pre, local.length - suf);
  // the document changed only after the edit, or only before it: the edit is placed by the text it touched
  if (remote.startsWith(before + removed)) return { index: pre, remove: removed.length, insert };
  if (remote.endsWith(removed + after)) return { index: remote.length - suf - removed.length, remove: removed.length, insert };
  return null;
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

export interface CollabState {
  /** the session the state is of */
  sessionId: string | null;
  /** per open file; a file not here is saved over REST */
  modes: Record<string, CoEditMode>;
  /** per live file: its socket is connected and synced (edits reach the server now) */
  connected: Record<string, boolean>;
  /** the server refused our edits (permission denied): the editor is read-only */
  denied: string | null;
  peers: Peer[];
  /** set by the engine: resolves true once the file of record has had time to follow our edits */
  flush: ((path?: string) => Promise<boolean>) | null;
}

export const EMPTY_COLLAB: CollabState = { sessionId: null, modes: {}, connected: {}, denied: null, peers: [], flush: null };

export function createCollabStore() {
  return createStore<CollabState>()(() => ({ ...EMPTY_COLLAB }));
}

export type CollabStore = ReturnType<typeof createCollabStore>;

/** The workspace store's view of co-editing (see WorkspaceDeps.coEdit). */
export interface CoEditHooks {
  mode(path: string): CoEditMode;
  connected(path: string): boolean;
  /** resolves once the file's mode is no longer `pending` */
  decided(path: string): Promise<void>;
  /** resolves true once the file of record (of `path`, or of every live file) follows our edits */
  flushed(path?: string): Promise<boolean>;
}

export function coEditHooks(store: CollabStore): CoEditHooks {
  const mode = (path: string): CoEditMode => store.getState().modes[path] ?? 'rest';
  return {
    mode,
    connected: (path) => !!store.getState().connected[path],
    decided: (path) =>
      mode(path) !== 'pending'
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const off = store.subscribe((s) => {
              if ((s.modes[path] ?? 'rest') === 'pending') return;
              off();
              resolve();
            });
          }),
    flushed: (path) => store.getState().flush?.(path) ?? Promise.resolve(true),
  };
}
