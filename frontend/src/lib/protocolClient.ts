/**
 * The client side of the execution protocol (docs/protocol.md) over one WebSocket that survives
 * trouble:
 *
 * - a dropped connection reconnects with backoff; every job still running is re-attached with
 *   `{"type":"attach","job_id","after_seq":<last seq seen>}` and watched sessions are watched again;
 * - each job's events are delivered to its handler exactly once and in seq order, whatever the
 *   socket delivered (duplicates from a replay are dropped, early events wait for the gap before
 *   them; a gap that does not fill by itself is asked for again with an attach);
 * - messages to a job (input, eof, stop) written while disconnected are sent once the job is
 *   attached again, and re-sent if the server says the connection did not follow the job yet.
 *
 * It knows nothing of React: the stores wire it to the UI.
 */
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
import { SeqOrderer } from './seqOrderer';
import type {
  ClientMessage,
  ErrorEvent,
  ExecuteMessage,
  JobEvent,
  ServerEvent,
  SessionEvent,
} from '../types/protocol';
import { isJobEvent } from '../types/protocol';

/** The part of the browser WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface JobHandler {
  /** Every event of the job, in seq order, each once. */
  onEvent(e: JobEvent): void;
  /** A refused message addressed to this job (job_finished, forbidden, …). */
  onError?(e: ErrorEvent): void;
  /** The job cannot be followed any more (expired, or unknown to the server). */
  onLost?(e: ErrorEvent): void;
}

export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ProtocolClientOptions {
  /** The WebSocket URL, asked again at every (re)connect so a new token is used. */
  url: () => string;
  createSocket?: SocketFactory;
  backoff?: BackoffOptions;
  timers?: Timers;
  /** How long events may wait behind a missing seq before the job is attached again. */
  gapTimeoutMs?: number;
  /** How long job messages wait for an attach to be confirmed by an event before being sent anyway. */
  attachHoldMs?: number;
}

const OPEN = 1;

interface Followed {
  jobId: string;
  orderer: SeqOrderer<JobEvent>;
  handler: JobHandler;
  complete: boolean;
  /** False from (re)attach until an event of the job arrives on the current connection. */
  confirmed: boolean;
  /** Job messages waiting for the attach to be confirmed. */
  held: ClientMessage[];
  /** Messages sent before confirmation; a prefix of them may come back as unknown_job. */
  unconfirmedSent: ClientMessage[];
  failedIdx: number;
  holdTimer: unknown;
  gapTimer: unknown;
  retries: number;
}

interface PendingExecute {
  message: ExecuteMessage;
  handler: JobHandler;
  resolve: (jobId: string) => void;
  reject: (e: Error) => void;
  /** The connection number it went out on (0: not sent yet). */
  sentOn: number;
}

let requestCounter = 0;
function newRequestId(): string {
  requestCounter += 1;
  return `r${Date.now().toString(36)}-${requestCounter}`;
}

export class ProtocolClient {
  private ws: SocketLike | null = null;
  private connNo = 0;
  private attempt = 0;
  private reconnectTimer: unknown = null;
  private wanted = false;
  private statusValue: ConnectionStatus = 'idle';
  private readonly jobs = new Map<string, Followed>();
  private readonly pending = new Map<string, PendingExecute>();
  private readonly watches = new Map<string, Set<(e: SessionEvent) => void>>();
  /** Non-job messages written while disconnected (watch/unwatch are resent from `watches`). */
  private outbox: ClientMessage[] = [];
  private readonly statusListeners = new Set<(s: ConnectionStatus, attempt: number) => void>();
  private readonly errorListeners = new Set<(e: ErrorEvent) => void>();
  private readonly createSocket: SocketFactory;
  private readonly timers: Timers;
  private readonly backoff: BackoffOptions;
  private readonly gapTimeoutMs: number;
  private readonly attachHoldMs: number;

  constructor(private readonly opts: ProtocolClientOptions) {
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.gapTimeoutMs = opts.gapTimeoutMs ?? 1500;
    this.attachHoldMs = opts.attachHoldMs ?? 400;
  }

  // ---- connection ----

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  /** Reconnect attempts since the connection was last open. */
  get attempts(): number {
    return this.attempt;
  }

  onStatus(l: (s: ConnectionStatus, attempt: number) => void): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  /** Errors not tied to a pending request or a followed job. */
  onError(l: (e: ErrorEvent) => void): () => void {
    this.errorListeners.add(l);
    return () => this.errorListeners.delete(l);
  }

  connect(): void {
    this.wanted = true;
    if (this.ws || this.reconnectTimer !== null) return;
    this.open();
  }

  /** Try now instead of waiting for the backoff (e.g. the browser came back online). */
  reconnectNow(): void {
    if (!this.wanted || this.statusValue === 'open' || this.statusValue === 'connecting') return;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.open();
  }

  /** Close for good (sign-out): pending requests fail, nothing is retried. */
  close(): void {
    this.wanted = false;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try {
        ws.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
    for (const p of this.pending.values()) p.reject(new ProtocolError('closed', 'the connection was closed'));
    this.pending.clear();
    for (const j of this.jobs.values()) this.clearJobTimers(j);
    this.jobs.clear();
    this.watches.clear();
    this.outbox = [];
    this.setStatus('closed');
  }

  /** Drop the current socket as if the network had failed (tests, and the e2e "network blip"). */
  simulateDrop(): void {
    this.ws?.close(4000, 'dropped by the client');
  }

  private open(): void {
    this.reconnectTimer = null;
    if (this.statusValue === 'idle' || this.statusValue === 'closed') this.setStatus('connecting');
    let ws: SocketLike;
    try {
      ws = this.createSocket(this.opts.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    const no = ++this.connNo;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.setStatus('open');
      this.onOpened(no);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      if (typeof ev.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (parsed && typeof parsed === 'object') this.dispatch(parsed as ServerEvent);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClosed(no);
    };
  }

  private onOpened(no: number): void {
    for (const sessionId of this.watches.keys()) this.sendNow({ type: 'watch', session_id: sessionId });
    for (const j of this.jobs.values()) {
      if (j.complete) continue;
      this.beginAttach(j);
    }
    const out = this.outbox;
    this.outbox = [];
    for (const m of out) this.sendNow(m);
    for (const p of this.pending.values()) {
      if (p.sentOn === 0) {
        p.sentOn = no;
        this.sendNow(p.message);
      }
    }
  }

  private onClosed(no: number): void {
    // an execute that went out on the dead connection and was not accepted is in an unknown
    // state: the caller finds out (e.g. from the session's run list) whether it started
    for (const [rid, p] of this.pending) {
      if (p.sentOn === no) {
        this.pending.delete(rid);
        p.reject(new ProtocolError('connection_lost', 'the connection dropped before the run was accepted'));
      }
    }
    for (const j of this.jobs.values()) {
      this.clearJobTimers(j);
      j.confirmed = false;
      // what went out unconfirmed on the dead socket may not have arrived: send again after attach
      // (an input the server did take would be typed twice; only input sent in the instant of the drop)
      if (j.unconfirmedSent.length) {
        j.held = [...j.unconfirmedSent.slice(j.failedIdx), ...j.held];
        j.unconfirmedSent = [];
        j.failedIdx = 0;
      }
    }
    if (this.wanted) this.scheduleReconnect();
    else this.setStatus('closed');
  }

  private scheduleReconnect(): void {
    this.setStatus('reconnecting');
    const delay = backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.reconnectTimer = this.timers.setTimeout(() => this.open(), delay);
  }

  private setStatus(s: ConnectionStatus): void {
    if (s === this.statusValue && s !== 'reconnecting') return;
    this.statusValue = s;
    for (const l of this.statusListeners) l(s, this.attempt);
  }

  private sendNow(m: ClientMessage): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN || this.statusValue !== 'open') return false;
    try {
      ws.send(JSON.stringify(m));
      return true;
    } catch {
      return false;
    }
  }

  // ---- requests ----

  /**
   * Start a run. Resolves with the job id once the server accepted it; the handler then gets
   * every event from `accepted` (seq 1) on. Rejects with the server's error (e.g. invalid_field)
   * or `connection_lost`.
   */
  execute(message: Omit<ExecuteMessage, 'type'>, handler: JobHandler): Promise<string> {
    const requestId = message.request_id ?? newRequestId();
    const full: ExecuteMessage = { ...message, type: 'execute', request_id: requestId };
    return new Promise<string>((resolve, reject) => {
      const p: PendingExecute = { message: full, handler, resolve, reject, sentOn: 0 };
      this.pending.set(requestId, p);
      if (this.sendNow(full)) p.sentOn = this.connNo;
      if (!this.wanted) this.connect();
    });
  }

  /** Follow a job from after `afterSeq` (0: from the start). Events before that are not delivered. */
  attach(jobId: string, handler: JobHandler, afterSeq = 0): void {
    const old = this.jobs.get(jobId);
    if (old) this.clearJobTimers(old);
    const j = this.newFollowed(jobId, handler, afterSeq);
    this.jobs.set(jobId, j);
    if (!this.wanted) this.connect();
    if (this.statusValue === 'open') this.beginAttach(j);
  }

  /** Stop following a job here (the run goes on). */
  detach(jobId: string): void {
    const j = this.jobs.get(jobId);
    if (!j) return;
    this.clearJobTimers(j);
    this.jobs.delete(jobId);
  }

  /** The last seq delivered for a followed job (0 if none). */
  lastSeq(jobId: string): number {
    return this.jobs.get(jobId)?.orderer.lastSeq ?? 0;
  }

  isFollowing(jobId: string): boolean {
    const j = this.jobs.get(jobId);
    return !!j && !j.complete;
  }

  input(jobId: string, data: string): void {
    this.toJob(jobId, { type: 'input_response', job_id: jobId, data });
  }

  eof(jobId: string): void {
    this.toJob(jobId, { type: 'eof', job_id: jobId });
  }

  stop(jobId: string): void {
    this.toJob(jobId, { type: 'stop', job_id: jobId });
  }

  /** Be told what happens to a session; returns the function that stops it. */
  watch(sessionId: string, listener: (e: SessionEvent) => void): () => void {
    let set = this.watches.get(sessionId);
    if (!set) {
      set = new Set();
      this.watches.set(sessionId, set);
      this.sendNow({ type: 'watch', session_id: sessionId });
    }
    set.add(listener);
    if (!this.wanted) this.connect();
    return () => {
      const s = this.watches.get(sessionId);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) {
        this.watches.delete(sessionId);
        this.sendNow({ type: 'unwatch', session_id: sessionId });
      }
    };
  }

  // ---- jobs ----

  private newFollowed(jobId: string, handler: JobHandler, afterSeq: number): Followed {
    const j: Followed = {
      jobId,
      handler,
      complete: false,
      confirmed: false,
      held: [],
      unconfirmedSent: [],
      failedIdx: 0,
      holdTimer: null,
      gapTimer: null,
      retries: 0,
      orderer: new SeqOrderer<JobEvent>((e) => {
        if (e.type === 'complete') {
          j.complete = true;
        }
        try {
          handler.onEvent(e);
        } finally {
          if (j.complete) this.finishJob(j);
        }
      }, afterSeq),
    };
    return j;
  }

  private beginAttach(j: Followed): void {
    j.confirmed = false;
    j.unconfirmedSent = [];
    j.failedIdx = 0;
    this.sendNow({ type: 'attach', job_id: j.jobId, after_seq: j.orderer.lastSeq });
    this.armHold(j);
  }

  /** Held job messages go out when an event confirms the attach, or after a short wait anyway. */
  private armHold(j: Followed): void {
    if (j.holdTimer !== null) this.timers.clearTimeout(j.holdTimer);
    j.holdTimer = this.timers.setTimeout(() => {
      j.holdTimer = null;
      this.flushHeld(j);
    }, this.attachHoldMs);
  }

  private flushHeld(j: Followed): void {
    if (this.statusValue !== 'open') return;
    const msgs = j.held;
    j.held = [];
    for (const m of msgs) {
      if (this.sendNow(m)) {
        if (!j.confirmed) j.unconfirmedSent.push(m);
      } else {
        j.held.push(m);
      }
    }
  }

  private confirm(j: Followed): void {
    if (j.confirmed) return;
    j.confirmed = true;
    j.unconfirmedSent = [];
    j.failedIdx = 0;
    j.retries = 0;
    if (j.holdTimer !== null) this.timers.clearTimeout(j.holdTimer);
    j.holdTimer = null;
    this.flushHeld(j);
  }

  private toJob(jobId: string, m: ClientMessage): void {
    const j = this.jobs.get(jobId);
    if (!j) {
      // not followed here (e.g. finished): the server answers unknown_job or job_finished
      if (!this.sendNow(m)) this.outbox.push(m);
      return;
    }
    if (this.statusValue !== 'open' || (!j.confirmed && j.holdTimer !== null) || j.held.length) {
      j.held.push(m);
      return;
    }
    if (this.sendNow(m)) {
      if (!j.confirmed) j.unconfirmedSent.push(m);
    } else {
      j.held.push(m);
    }
  }

  private finishJob(j: Followed): void {
    this.clearJobTimers(j);
    j.held = [];
    // keep the entry briefly so late duplicates are recognised, then forget it
    this.timers.setTimeout(() => {
      if (this.jobs.get(j.jobId) === j) this.jobs.delete(j.jobId);
    }, 30_000);
  }

  private clearJobTimers(j: Followed): void {
    if (j.holdTimer !== null) this.timers.clearTimeout(j.holdTimer);
    if (j.gapTimer !== null) this.timers.clearTimeout(j.gapTimer);
    j.holdTimer = j.gapTimer = null;
  }

  // ---- incoming ----

  private dispatch(e: ServerEvent): void {
    if (e.type === 'session_event') {
      const set = this.watches.get(e.session_id);
      if (set) for (const l of [...set]) l(e);
      return;
    }
    if (e.type === 'error') {
      this.onServerError(e);
      return;
    }
    if (!isJobEvent(e)) return;
    if (e.type === 'accepted' && e.request_id && this.pending.has(e.request_id)) {
      const p = this.pending.get(e.request_id)!;
      this.pending.delete(e.request_id);
      if (!this.jobs.has(e.job_id)) {
        const j = this.newFollowed(e.job_id, p.handler, 0);
        j.confirmed = true;
        this.jobs.set(e.job_id, j);
      }
      p.resolve(e.job_id);
    }
    const j = this.jobs.get(e.job_id);
    if (!j) return;
    this.confirm(j);
    j.orderer.push(e);
    if (j.complete) return;
    if (j.orderer.hasGap) {
      if (j.gapTimer === null) {
        j.gapTimer = this.timers.setTimeout(() => {
          j.gapTimer = null;
          if (j.orderer.hasGap && !j.complete && this.jobs.get(j.jobId) === j) this.beginAttach(j);
        }, this.gapTimeoutMs);
      }
    } else if (j.gapTimer !== null) {
      this.timers.clearTimeout(j.gapTimer);
      j.gapTimer = null;
    }
  }

  private onServerError(e: ErrorEvent): void {
    if (e.request_id && this.pending.has(e.request_id)) {
      const p = this.pending.get(e.request_id)!;
      this.pending.delete(e.request_id);
      p.reject(new ProtocolError(e.code, e.message));
      return;
    }
    const j = e.job_id ? this.jobs.get(e.job_id) : undefined;
    if (j) {
      const notFollowedYet = e.code === 'unknown_job' && /attach first|not followed/.test(e.message);
      if (notFollowedYet && !j.confirmed && j.failedIdx < j.unconfirmedSent.length) {
        // the server had not set up the attach yet when this message arrived: send it again
        const m = j.unconfirmedSent[j.failedIdx];
        j.failedIdx += 1;
        j.retries += 1;
        if (j.retries <= 20) {
          j.held.push(m);
          this.armHold(j);
        }
        return;
      }
      if (e.code === 'unknown_job' && !notFollowedYet) {
        // the attach itself was refused: the job is gone
        this.clearJobTimers(j);
        this.jobs.delete(j.jobId);
        j.handler.onLost?.(e);
        return;
      }
      j.handler.onError?.(e);
      return;
    }
    for (const l of this.errorListeners) l(e);
  }
}

/** ws(s)://host/ws/execute?token=… for the page's own origin. */
export function executeUrl(token: string | null, loc: { protocol: string; host: string } = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${loc.host}/ws/execute${q}`;
}
