/** The REST client: JSON in and out, the token as a bearer header, errors as {@link ApiError}. */
import type {
  AuthResult,
  FileContent,
  FileMeta,
  Language,
  Role,
  RunDetail,
  RunPage,
  Session,
  SessionPage,
  SessionSettings,
  SessionWithFiles,
  Share,
  Template,
  User,
} from '../types/api';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiOptions {
  getToken: () => string | null;
  /** Called on a 401 from an authenticated route (expired or forged token). */
  onUnauthorized?: () => void;
  fetch?: FetchLike;
  base?: string;
}

/**
 * A file path as one percent-encoded URL segment, its slashes too: the browser resolves "." and
 * ".." segments (also %2E%2E) before sending, so "../x.py" with its slash kept would reach another
 * route; encoded, it reaches the file route, which judges the name (and refuses "..").
 */
export function encodePath(path: string): string {
  return encodeURIComponent(path);
}

export interface SessionQuery {
  q?: string;
  language?: string;
  offset?: number;
  limit?: number;
}

export type NewSession =
  | { template: string; name?: string }
  | { name: string; language: string; files?: { path: string; content: string }[] };

export function createApi(opts: ApiOptions) {
  const doFetch: FetchLike = opts.fetch ?? ((i, init) => fetch(i, init));
  const base = opts.base ?? '';

  async function request<T>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
    const token = opts.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) {
      const e = data as { code?: string; message?: string } | undefined;
      const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `${method} ${path} failed (${res.status})`);
      if (res.status === 401 && token && !path.startsWith('/api/auth/')) opts.onUnauthorized?.();
      throw err;
    }
    return data as T;
  }

  const s = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;

  return {
    request,
    guest: () => request<AuthResult>('POST', '/api/auth/guest'),
    login: (username: string, password: string) => request<AuthResult>('POST', '/api/auth/login', { username, password }),
    register: (username: string, password: string) => request<AuthResult>('POST', '/api/auth/register', { username, password }),
    me: () => request<User>('GET', '/api/auth/me'),
    languages: () => request<Language[]>('GET', '/api/languages'),
    templates: () => request<Template[]>('GET', '/api/templates'),

    listSessions: (q: SessionQuery = {}) => {
      const p = new URLSearchParams();
      if (q.q) p.set('q', q.q);
      if (q.language) p.set('language', q.language);
      if (q.offset) p.set('offset', String(q.offset));
      if (q.limit) p.set('limit', String(q.limit));
      const qs = p.toString();
      return request<SessionPage>('GET', `/api/sessions${qs ? `?${qs}` : ''}`);
    },
    createSession: (n: NewSession) => request<SessionWithFiles>('POST', '/api/sessions', n),
    getSession: (id: string) => request<SessionWithFiles>('GET', s(id)),
    updateSession: (id: string, patch: { name?: string; language?: string }) => request<Session>('PATCH', s(id), patch),
    deleteSession: (id: string) => request<void>('DELETE', s(id)),
    getSettings: (id: string) => request<SessionSettings>('GET', `${s(id)}/settings`),
    putSettings: (id: string, settings: SessionSettings) => request<SessionSettings>('PUT', `${s(id)}/settings`, settings),

    listFiles: (id: string) => request<{ files: FileMeta[] }>('GET', `${s(id)}/files`),
    readFile: (id: string, path: string) => request<FileContent>('GET', `${s(id)}/files/${encodePath(path)}`),
    /** version: 0 = must not exist yet, n = must still be at n (409 otherwise), undefined = overwrite. */
    writeFile: (id: string, path: string, content: string, version?: number) =>
      request<FileMeta>('PUT', `${s(id)}/files/${encodePath(path)}`, version === undefined ? { content } : { content, version }),
    renameFile: (id: string, from: string, to: string) =>
      request<{ files: FileMeta[] }>('PATCH', `${s(id)}/files/${encodePath(from)}`, { path: to }),
    deleteFile: (id: string, path: string) => request<void>('DELETE', `${s(id)}/files/${encodePath(path)}`),

    listShares: (id: string) => request<{ items: Share[] }>('GET', `${s(id)}/shares`),
    createShare: (id: string, role: Exclude<Role, 'owner'>) => request<Share>('POST', `${s(id)}/shares`, { role }),
    revokeShare: (id: string, token: string) => request<void>('DELETE', `${s(id)}/shares/${encodeURIComponent(token)}`),
    join: (token: string) => request<Session>('POST', `/api/shares/${encodeURIComponent(token)}/join`),

    listRuns: (id: string, offset = 0, limit = 20) => request<RunPage>('GET', `${s(id)}/runs?offset=${offset}&limit=${limit}`),
    getRun: (runId: string) => request<RunDetail>('GET', `/api/runs/${encodeURIComponent(runId)}`),
  };
}

export type Api = ReturnType<typeof createApi>;

/** A message fit for a toast from any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
