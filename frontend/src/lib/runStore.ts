/**
 * The run shown in the terminal: started here, followed (another tab's or user's run, or the run
 * still going when the page was reloaded) or replayed from history. Turns the job's events into
 * terminal output and a status (queued / compiling / running / waiting for input / finished).
 */
import { createStore } from 'zustand/vanilla';
import type { JobHandler } from './protocolClient';
import type { TerminalSink } from './terminalSession';
import type { CompileEvent, CompleteEvent, Diagnostic, ErrorEvent, ExecuteMessage, JobEvent } from '../types/protocol';
import { isLiveRun, type RunDetail } from '../types/api';

/** The part of ProtocolClient the store uses. */
export interface RunClient {
  execute(message: Omit<ExecuteMessage, 'type'>, handler: JobHandler): Promise<string>;
  attach(jobId: string, handler: JobHandler, afterSeq?: number): void;
  detach(jobId: string): void;
  input(jobId: string, data: string): void;
  eof(jobId: string): void;
  stop(jobId: string): void;
}

export type Phase = 'idle' | 'starting' | 'queued' | 'compiling' | 'running' | 'waiting_input' | 'finished';
export type Origin = 'self' | 'follow' | 'replay';

export interface RunRequest {
  sessionId: string;
  language: string;
  compiled: boolean;
  compilerFlags?: string[];
  /** gcc / clang / g++ / clang++; absent = the server's default. */
  compiler?: string;
  /** Shown in the terminal's first line. */
  label?: string;
  /** Warnings shown under it (e.g. a file left out of the run). */
  notices?: string[];
}

export interface FollowRequest {
  jobId: string;
  sessionId: string;
  language?: string;
  compiled?: boolean;
  canControl: boolean;
  /** Who started it, for the terminal's first line. */
  by?: string;
  /** This tab's own run, picked up again after a reload: shown as the user's run, not followed. */
  resumed?: boolean;
}

export interface RunState {
  jobId: string | null;
  sessionId: string | null;
  language: string | null;
  phase: Phase;
  origin: Origin | null;
  canControl: boolean;
  prompt: string | null;
  compile: CompileEvent | null;
  diagnostics: Diagnostic[];
  complete: CompleteEvent | null;
  /** Why the run could not start (a refused execute). */
  error: { code: string; message: string } | null;
  startedAt: number | null;
  /** Set for replays: the run shown. */
  replayOf: string | null;
}

export interface RunActions {
  run(req: RunRequest): Promise<string | null>;
  follow(req: FollowRequest): void;
  /** Show a finished run's transcript; `title` replaces the "Replay of the run of …" line. */
  replay(detail: RunDetail, title?: string): void;
  /** Keys typed into the terminal (sent as is: the line editor adds the newline). */
  input(data: string): void;
  eof(): void;
  stop(): void;
  /** Whether typed input goes anywhere right now. */
  acceptsInput(): boolean;
  isLive(): boolean;
  reset(): void;
}

export interface RunDeps {
  client: RunClient;
  terminal: TerminalSink;
  now?: () => number;
  /** A run that the server refused or that failed for Sandpit's reasons. */
  onError?: (e: { code: string; message: string }) => void;
  /** The run ended (history can refresh). */
  onFinished?: (jobId: string, e: CompleteEvent) => void;
  /** The signed-in user's id: input events of theirs that this terminal echoed are not shown twice. */
  self?: () => string | null | undefined;
  /** A run of this tab was accepted (the caller may remember it across a reload). */
  onStarted?: (jobId: string) => void;
  /** An execute whose connection dropped before it was accepted: the caller may look for it. */
  onLostStart?: (req: RunRequest, requestedAt: number) => void;
}

const LIVE: Phase[] = ['starting', 'queued', 'compiling', 'running', 'waiting_input'];

const IDLE: RunState = {
  jobId: null,
  sessionId: null,
  language: null,
  phase: 'idle',
  origin: null,
  canControl: false,
  prompt: null,
  compile: null,
  diagnostics: [],
  complete: null,
  error: null,
  startedAt: null,
  replayOf: null,
};

export function formatBytesKb(kb: number | undefined | null): string {
  if (kb == null) return '–';
  if (kb < 1024) return `${kb} KB`;
  return `${(kb / 1024).toFixed(kb < 10 * 1024 ? 1 : 0)} MB`;
}

export function formatMs(ms: number | undefined | null): string {
  if (ms == null) return '–';
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const STATUS_TEXT: Record<string, string> = {
  ok: 'finished',
  runtime_error: 'runtime error',
  compile_error: 'compile error',
  timeout: 'time limit exceeded',
  memory_limit: 'memory limit exceeded',
  output_limit: 'output limit exceeded',
  stopped: 'stopped',
  executor_lost: 'executor lost',
  internal_error: 'internal error',
};

export function statusText(status: string | null | undefined): string {
  return status ? (STATUS_TEXT[status] ?? status) : 'running';
}

export function completeSummary(c: CompleteEvent): string {
  const parts = [statusText(c.status)];
  if (c.exit_code != null) parts.push(`exit ${c.exit_code}`);
  if (c.signal) parts.push(c.signal);
  if (c.execution_time != null) parts.push(formatMs(c.execution_time));
  if (c.memory_kb != null) parts.push(`${formatBytesKb(c.memory_kb)} peak`);
  return parts.join(' · ');
}

export function createRunStore(deps: RunDeps) {
  const now = deps.now ?? (() => Date.now());
  /** Input typed before the job id is known (type-ahead at the very start). */
  let early: { kind: 'input' | 'eof' | 'stop'; data?: string }[] = [];
  /** Bumped whenever another run takes over the terminal, so late events of the old one are ignored. */
  let generation = 0;
  /**
   * Input sent from this terminal (already echoed locally) whose input event has not come back yet,
   * oldest first: the server logs a connection's inputs in the order it sent them.
   */
  let echoed: string[] = [];

  const store = createStore<RunState & RunActions>()((set, get) => {
    function handlerFor(gen: number): JobHandler {
      return {
        onEvent: (e) => {
          if (gen !== generation) return;
          onEvent(e);
        },
        onError: (e) => {
          if (gen !== generation) return;
          onJobError(e);
        },
        onLost: (e) => {
          if (gen !== generation) return;
          deps.terminal.info(`The run can no longer be followed: ${e.message}`, 'warn');
          set({ phase: 'finished', prompt: null });
        },
      };
    }

    function onEvent(e: JobEvent): void {
      const t = deps.terminal;
      switch (e.type) {
        case 'accepted':
          // in a queue until a worker says it started (the started event)
          if (get().phase === 'starting' || get().phase === 'idle') set({ phase: 'queued' });
          if (e.language && !get().language) set({ language: e.language });
          break;
        case 'started':
          if (e.stage === 'compile') set({ phase: 'compiling' });
          else if (get().phase !== 'waiting_input') set({ phase: 'running' });
          break;
        case 'compile': {
          const diags = e.diagnostics ?? [];
          // compiled: the program waits for a run worker (started, stage run)
          set({ compile: e, diagnostics: diags, phase: e.status === 'ok' ? 'queued' : get().phase });
          if (e.output) t.out(e.output.endsWith('\n') ? e.output : e.output + '\n', 'compile');
          const errors = diags.filter((d) => d.severity === 'error').length;
          const warnings = diags.filter((d) => d.severity === 'warning').length;
          const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
          if (e.status === 'ok') {
            t.info(`✔ compiled in ${formatMs(e.duration_ms)}${e.cached ? ' (cached)' : ''}${warnings ? ` — ${counts}` : ''}`, 'dim');
          } else {
            t.info(`✖ compilation failed — ${counts}`, 'error');
          }
          break;
        }
        case 'output':
          if (get().phase !== 'running') set({ phase: 'running', prompt: null });
          t.out(e.data, e.stream);
          break;
        case 'input_request':
          set({ phase: 'waiting_input', prompt: e.prompt ?? '' });
          break;
        case 'input': {
          const me = deps.self?.() ?? null;
          const mine = !e.by || (me != null && e.by.id === me);
          if (mine && echoed.length && echoed[0] === e.data) {
            echoed.shift(); // typed here: the local echo showed it already
            break;
          }
          if (get().phase === 'waiting_input' && e.data.endsWith('\n')) set({ phase: 'running', prompt: null });
          t.typed(e.data, mine ? null : (e.by?.name ?? 'someone'));
          break;
        }
        case 'complete': {
          set({ phase: 'finished', complete: e, prompt: null });
          if (e.truncated && e.status !== 'output_limit') t.info('[output truncated: the run reached its output cap]', 'warn');
          // a failed compile was told already (the compile event's line and output)
          const c = get().compile;
          const told = e.status === 'compile_error' && c?.status === 'error' && (e.message === 'compilation failed' || !!c.output?.includes(e.message ?? ''));
          if (e.message && e.status !== 'ok' && !told) t.info(e.message, e.status === 'compile_error' ? 'dim' : 'warn');
          t.info(`── ${completeSummary(e)}`, e.status === 'ok' ? 'ok' : 'error');
          deps.onFinished?.(e.job_id, e);
          break;
        }
      }
    }

    function onJobError(e: ErrorEvent): void {
      if (e.code === 'job_finished') return; // typed after the end: nothing to tell
      deps.onError?.({ code: e.code, message: e.message });
    }

    function takeOver(partial: Partial<RunState>): number {
      const old = get().jobId;
      generation += 1;
      early = [];
      echoed = [];
      if (old) deps.client.detach(old);
      deps.terminal.clear();
      set({ ...IDLE, ...partial });
      return generation;
    }

    function sendControl(kind: 'input' | 'eof' | 'stop', data?: string): void {
      const s = get();
      if (!LIVE.includes(s.phase) || !s.canControl) return;
      if (!s.jobId) {
        early.push({ kind, data });
        return;
      }
      if (kind === 'input') sendInput(s.jobId, data ?? '');
      else if (kind === 'eof') deps.client.eof(s.jobId);
      else deps.client.stop(s.jobId);
    }

    function sendInput(jobId: string, data: string): void {
      echoed.push(data);
      deps.client.input(jobId, data);
    }

    return {
      ...IDLE,

      async run(req) {
        const gen = takeOver({
          sessionId: req.sessionId,
          language: req.language,
          phase: 'starting',
          origin: 'self',
          canControl: true,
          startedAt: now(),
        });
        deps.terminal.info(`▶ ${req.label ?? `Running (${req.language})`}`, 'dim');
        for (const n of req.notices ?? []) deps.terminal.info(n, 'warn');
        const requestedAt = now();
        try {
          const jobId = await deps.client.execute(
            {
              session_id: req.sessionId,
              language: req.language,
              ...(req.compilerFlags && req.compilerFlags.length ? { compiler_flags: req.compilerFlags } : {}),
              ...(req.compiler ? { compiler: req.compiler } : {}),
            },
            handlerFor(gen),
          );
          if (gen !== generation) return jobId;
          set({ jobId });
          deps.onStarted?.(jobId);
          const queued = early;
          early = [];
          for (const q of queued) {
            if (q.kind === 'input') sendInput(jobId, q.data ?? '');
            else if (q.kind === 'eof') deps.client.eof(jobId);
            else deps.client.stop(jobId);
          }
          return jobId;
        } catch (err) {
          if (gen !== generation) return null;
          const code = (err as { code?: string }).code ?? 'internal';
          const message = (err as Error).message ?? String(err);
          set({ phase: 'finished', error: { code, message } });
          if (code === 'connection_lost') {
            deps.terminal.info('The connection dropped before the run was accepted; looking for it…', 'warn');
            deps.onLostStart?.(req, requestedAt);
          } else {
            deps.terminal.info(`✖ ${message}`, 'error');
            deps.onError?.({ code, message });
          }
          return null;
        }
      },

      follow(req) {
        const gen = takeOver({
          jobId: req.jobId,
          sessionId: req.sessionId,
          language: req.language ?? null,
          phase: 'queued',
          origin: req.resumed ? 'self' : 'follow',
          canControl: req.canControl,
          startedAt: now(),
        });
        deps.terminal.info(req.resumed ? '↪ Your run, resumed after the page was reloaded' : `↪ Following a run${req.by ? ` started by ${req.by}` : ''}`, 'dim');
        deps.client.attach(req.jobId, handlerFor(gen), 0);
      },

      replay(detail, title) {
        takeOver({
          jobId: null,
          sessionId: detail.session_id,
          language: detail.language,
          phase: 'finished',
          origin: 'replay',
          replayOf: detail.id,
          startedAt: detail.started_at,
        });
        const t = deps.terminal;
        t.info(title ?? `⟲ Replay of the run of ${new Date(detail.started_at).toLocaleString()} (${detail.language})`, 'dim');
        for (const c of [...detail.transcript].sort((a, b) => a.seq - b.seq)) t.out(c.data, c.stream);
        if (detail.transcript_capped) t.info(`[transcript capped at ${detail.transcript_cap ?? '?'} bytes]`, 'warn');
        if (detail.status && !isLiveRun(detail)) {
          const c: CompleteEvent = {
            type: 'complete',
            seq: 0,
            job_id: detail.id,
            status: detail.status as CompleteEvent['status'],
            exit_code: detail.exit_code ?? undefined,
            execution_time: detail.wall_ms ?? undefined,
            cpu_ms: detail.cpu_ms ?? undefined,
            memory_kb: detail.memory_kb ?? undefined,
          };
          set({ complete: c });
          t.info(`── ${completeSummary(c)}`, c.status === 'ok' ? 'ok' : 'error');
        } else {
          t.info('── still running (follow it from the history list)', 'warn');
        }
      },

      input(data) {
        sendControl('input', data);
        const s = get();
        if (s.phase === 'waiting_input' && data.endsWith('\n')) set({ phase: 'running', prompt: null });
      },
      eof() {
        sendControl('eof');
      },
      stop() {
        sendControl('stop');
      },
      acceptsInput() {
        const s = get();
        return LIVE.includes(s.phase) && s.canControl;
      },
      isLive() {
        return LIVE.includes(get().phase);
      },
      reset() {
        takeOver({});
      },
    };
  });
  return store;
}

export type RunStore = ReturnType<typeof createRunStore>;
