/**
 * Wire types of the execution protocol on /ws/execute (docs/protocol.md). They mirror the Java
 * records in common-protocol (dev.sandpit.protocol.ClientMessage, ServerEvent, RunStatus,
 * ErrorCode, Diagnostic, Limits, SourceFile): snake_case field names, optional fields left out.
 * This file is the only place the frontend defines them.
 */

// ---- shared records ----

/** dev.sandpit.protocol.SourceFile */
export interface SourceFile {
  name: string;
  content: string;
  encoding?: 'base64';
}

/** dev.sandpit.protocol.Limits: every field optional ("server default"). */
export interface Limits {
  wall_ms?: number;
  cpu_ms?: number;
  memory_mb?: number;
  output_kb?: number;
}

/** dev.sandpit.protocol.Diagnostic.FixIt: a suggested edit (an insertion when start = end). */
export interface FixIt {
  file?: string;
  line?: number;
  column?: number;
  end_line?: number;
  end_column?: number;
  replacement?: string;
}

/** dev.sandpit.protocol.Diagnostic: one compiler message. */
export interface Diagnostic {
  file?: string;
  line?: number;
  /** 1-based, UTF-16 code units of the line */
  column?: number;
  /** just after the marked range on the same line */
  end_column?: number;
  severity?: string; // error | warning | note
  message?: string;
  /** the warning option that enabled it (-Wunused-variable) */
  option?: string;
  notes?: Diagnostic[];
  fixits?: FixIt[];
}

/** dev.sandpit.protocol.RunStatus: how a run ended (closed vocabulary). */
export type RunStatus =
  | 'ok'
  | 'runtime_error'
  | 'compile_error'
  | 'timeout'
  | 'memory_limit'
  | 'output_limit'
  | 'stopped'
  | 'executor_lost'
  | 'internal_error';

/** dev.sandpit.protocol.ErrorCode: shared by WebSocket errors, HTTP error bodies and close codes. */
export type ErrorCode =
  | 'bad_json'
  | 'unknown_type'
  | 'missing_field'
  | 'invalid_field'
  | 'unknown_language'
  | 'code_too_large'
  | 'message_too_large'
  | 'limit_exceeded'
  | 'too_many_runs'
  | 'unknown_job'
  | 'ambiguous_job'
  | 'job_finished'
  | 'language_unavailable'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** Codes whose ErrorCode.retriable() is true on the server. */
export const RETRIABLE_CODES: ReadonlySet<string> = new Set([
  'too_many_runs',
  'language_unavailable',
  'rate_limited',
  'unavailable',
  'internal',
]);

// ---- client → server (ClientMessage) ----

export interface ExecuteMessage {
  type: 'execute';
  language?: string; // required unless session_id
  code?: string; // required unless files or session_id
  files?: SourceFile[];
  stdin?: string;
  args?: string[];
  limits?: Limits;
  compiler_flags?: string[];
  request_id?: string;
  session_id?: string;
  main?: string;
  /** C/C++: gcc or clang, g++ or clang++ (the language's default when absent) */
  compiler?: string;
}

export interface InputResponseMessage {
  type: 'input_response';
  job_id?: string;
  data: string;
}

export interface EofMessage {
  type: 'eof';
  job_id?: string;
}

export interface StopMessage {
  type: 'stop';
  job_id?: string;
}

export interface AttachMessage {
  type: 'attach';
  job_id: string;
  after_seq?: number;
}

export interface WatchMessage {
  type: 'watch';
  session_id: string;
}

export interface UnwatchMessage {
  type: 'unwatch';
  session_id: string;
}

export type ClientMessage =
  | ExecuteMessage
  | InputResponseMessage
  | EofMessage
  | StopMessage
  | AttachMessage
  | WatchMessage
  | UnwatchMessage;

// ---- server → client (ServerEvent) ----

export interface AcceptedEvent {
  type: 'accepted';
  seq: number;
  job_id: string;
  request_id?: string;
  language?: string;
}

export interface OutputEvent {
  type: 'output';
  seq: number;
  job_id: string;
  stream: 'stdout' | 'stderr';
  data: string;
}

export interface InputRequestEvent {
  type: 'input_request';
  seq: number;
  job_id: string;
  prompt?: string;
}

/** Who gave an input (dev.sandpit.protocol.ServerEvent.By); absent for an anonymous connection. */
export interface InputBy {
  id: string;
  name?: string;
}

/** Input a follower of the run gave it, numbered with the output (so everyone sees it, in order). */
export interface InputEvent {
  type: 'input';
  seq: number;
  job_id: string;
  data: string;
  by?: InputBy;
}

/** A worker took the job: the compiler (stage compile; not sent for a cached build) or the program (stage run) started. */
export interface StartedEvent {
  type: 'started';
  seq: number;
  job_id: string;
  stage: 'compile' | 'run';
}

export interface CompileEvent {
  type: 'compile';
  seq: number;
  job_id: string;
  status: 'ok' | 'error';
  diagnostics?: Diagnostic[];
  output?: string;
  cached?: boolean;
  duration_ms?: number;
}

export interface CompleteEvent {
  type: 'complete';
  seq: number;
  job_id: string;
  exit_code?: number;
  execution_time?: number;
  status: RunStatus;
  cpu_ms?: number;
  memory_kb?: number;
  signal?: string;
  truncated?: boolean;
  message?: string;
}

/** A refused request; not numbered. */
export interface ErrorEvent {
  type: 'error';
  seq?: number;
  job_id?: string;
  request_id?: string;
  code: ErrorCode;
  message: string;
}

export type SessionEventKind = 'run_started' | 'run_finished' | 'files_changed' | 'session_updated' | 'session_deleted';

/** Something happened to a watched session; not numbered. */
export interface SessionEvent {
  type: 'session_event';
  seq?: number;
  job_id?: string;
  session_id: string;
  kind: SessionEventKind;
  at?: number;
  paths?: string[];
  status?: string;
  user_id?: string;
  /** run_started: the username of who started the run */
  user_name?: string;
  name?: string;
  language?: string;
  /** session_updated after the settings changed */
  settings?: import('./api').SessionSettings;
}

/** The events that belong to a job and carry its seq. */
export type JobEvent = AcceptedEvent | StartedEvent | OutputEvent | InputRequestEvent | InputEvent | CompileEvent | CompleteEvent;

export type ServerEvent = JobEvent | ErrorEvent | SessionEvent;

export function isJobEvent(e: ServerEvent): e is JobEvent {
  return e.type !== 'error' && e.type !== 'session_event' && typeof e.seq === 'number' && typeof e.job_id === 'string';
}
