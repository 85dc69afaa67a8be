/** Shapes of the REST API (gateway-service/src/main/resources/openapi.json). */

export interface ApiErrorBody {
  code: string;
  message: string;
}

export interface Language {
  name: string;
  display?: string;
  version?: string;
  compiled?: boolean;
  kinds?: string[];
  executors?: number;
}

export interface Template {
  id: string;
  language: string;
  name: string;
  kind: string;
  files: { path: string; content: string }[];
}

export interface User {
  id: string;
  username: string;
  guest: boolean;
  created_at?: number;
}

export interface AuthResult {
  token: string;
  user: User;
}

export type Role = 'viewer' | 'runner' | 'editor' | 'owner';

export interface Session {
  id: string;
  name: string;
  language: string;
  owner_id: string;
  role?: Role;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface FileMeta {
  path: string;
  size: number;
  binary: boolean;
  version: number;
  updated_at: number;
}

/** A session's settings, shared by everyone in it (GET/PUT /api/sessions/:id/settings). */
export interface SessionSettings {
  /** gcc / clang / g++ / clang++; null = the language's default. */
  compiler: string | null;
  compiler_flags: string[];
}

export interface SessionWithFiles extends Session {
  files: FileMeta[];
  settings?: SessionSettings;
}

export interface SessionPage {
  items: Session[];
  total: number;
  offset: number;
  limit: number;
}

export interface FileContent extends FileMeta {
  content: string;
  encoding: 'utf-8' | 'base64';
}

export interface Share {
  token: string;
  session_id: string;
  role: Exclude<Role, 'owner'>;
  join_path: string;
  revoked: boolean;
  created_at?: number;
}

export interface Run {
  id: string;
  session_id: string;
  user_id: string;
  /** the username of who started it (absent from older servers) */
  user_name?: string | null;
  language: string;
  status: string | null;
  exit_code: number | null;
  wall_ms?: number | null;
  cpu_ms?: number | null;
  memory_kb?: number | null;
  started_at: number;
  ended_at?: number | null;
  stdin?: string | null;
  transcript_bytes?: number;
  transcript_capped?: boolean;
  transcript_cap?: number;
}

export interface TranscriptChunk {
  seq: number;
  stream: 'stdout' | 'stderr' | 'stdin' | 'compile';
  data: string;
}

export interface RunDetail extends Run {
  live: boolean;
  files: { path: string; content: string; encoding: 'utf-8' | 'base64' }[];
  transcript: TranscriptChunk[];
}

export interface RunPage {
  items: Run[];
  total: number;
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, runner: 1, editor: 2, owner: 3 };

/** Whether a role is at least the needed one (an unknown role counts as viewer). */
export function atLeast(role: Role | undefined, needed: Role): boolean {
  return ROLE_RANK[role ?? 'viewer'] >= ROLE_RANK[needed];
}

/** How a run ended (RunStatus); anything else in a Run's status (null, "running") means it is still going. */
const FINAL = new Set(['ok', 'runtime_error', 'compile_error', 'timeout', 'memory_limit', 'output_limit', 'stopped', 'executor_lost', 'internal_error']);

export function isLiveRun(r: { status: string | null; live?: boolean }): boolean {
  return r.live === true || r.status == null || !FINAL.has(r.status);
}
