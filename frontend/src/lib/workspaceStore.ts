/**
 * The open session and its files: contents loaded on demand, edits kept until auto-saved (after a
 * pause in typing, before every run, on Ctrl+S), versions used for optimistic concurrency (a write
 * over someone else's change is refused with 409 and shown as a conflict), and changes made
 * elsewhere (session watch: files_changed) pulled in.
 */
import { createStore } from 'zustand/vanilla';
import { ApiError, type Api } from './api';
import { mainFileFor } from './languages';
import type { FileMeta, Role, SessionWithFiles } from '../types/api';
import type { CoEditHooks, CoEditMode } from './collabState';

export interface FileEntry {
  path: string;
  /** The server version the local copy is based on (0: not on the server yet). */
  version: number;
  binary: boolean;
  size: number;
  loaded: boolean;
  /** The text being edited. */
  content: string;
  /** The text as last saved / loaded. */
  saved: string;
  saving: boolean;
  /** The server has a newer version than the one these edits started from. */
  conflict: boolean;
  error: string | null;
  /** The error code of the last failed save (ApiError.code), null after a good one. */
  errorCode?: string | null;
}

/** Save errors that trying again with the same text cannot mend (the file is too large, …). */
export const PERMANENT_SAVE_ERRORS: ReadonlySet<string> = new Set(['too_large', 'quota_exceeded', 'invalid_field']);

/** A file whose edits are not on the server: why, and whether the server has an older version of it. */
export interface SaveProblem {
  path: string;
  code: string;
  message: string;
  /** The server has a saved version of the file (false: it was never saved). */
  onServer: boolean;
}

export interface WorkspaceState {
  session: SessionWithFiles | null;
  role: Role | null;
  files: Record<string, FileEntry>;
  active: string | null;
  loading: boolean;
  loadError: string | null;
}

export interface WorkspaceActions {
  load(sessionId: string): Promise<void>;
  close(): void;
  open(path: string): Promise<void>;
  edit(path: string, content: string): void;
  save(path: string, opts?: { force?: boolean }): Promise<boolean>;
  saveAll(): Promise<boolean>;
  create(path: string, content?: string): Promise<boolean>;
  rename(from: string, to: string): Promise<boolean>;
  remove(path: string): Promise<boolean>;
  /** Reload a file from the server, dropping local edits. */
  revert(path: string): Promise<void>;
  /** Someone changed files (session watch): bring the list and untouched files up to date. */
  refresh(paths?: string[]): Promise<void>;
  /** Put a run's files into the editor as edits (saved by auto-save like typing). */
  restore(files: { path: string; content: string }[]): Promise<void>;
  setSessionMeta(patch: Partial<SessionWithFiles>): void;
  isDirty(path: string): boolean;
  dirtyPaths(): string[];
  /** Files whose last save failed and whose edits are still unsaved. */
  saveProblems(): SaveProblem[];
  /** A co-edited file's document is in sync with the server again: its text is the file's. */
  coEditSynced(path: string): void;
}

export interface WorkspaceDeps {
  api: Api;
  autosaveMs?: number;
  onError?: (message: string) => void;
  /** A save was refused because the file changed elsewhere (the edits are kept). */
  onConflict?: (path: string) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
  /**
   * Co-editing: a file in `live` mode is not PUT (the server writes it from its document); one in
   * `pending` mode waits for the decision before a save. Without it every file is saved over REST.
   */
  coEdit?: CoEditHooks;
}

const EMPTY: WorkspaceState = { session: null, role: null, files: {}, active: null, loading: false, loadError: null };

function entryFrom(m: FileMeta): FileEntry {
  return {
    path: m.path,
    version: m.version,
    binary: m.binary,
    size: m.size,
    loaded: false,
    content: '',
    saved: '',
    saving: false,
    conflict: false,
    error: null,
  };
}

export function sortedPaths(files: Record<string, FileEntry>): string[] {
  return Object.keys(files).sort((a, b) => a.localeCompare(b));
}

export function createWorkspaceStore(deps: WorkspaceDeps) {
  const api = deps.api;
  const coMode = (path: string): CoEditMode => deps.coEdit?.mode(path) ?? 'rest';
  const autosaveMs = deps.autosaveMs ?? 800;
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const timers = new Map<string, unknown>();
  /** One save at a time per file; a later one waits for the earlier. */
  const inflight = new Map<string, Promise<boolean>>();
  /** The text of a save refused for good (PERMANENT_SAVE_ERRORS): not sent again until it changes. */
  const refused = new Map<string, string>();
  let loadSeq = 0;

  return createStore<WorkspaceState & WorkspaceActions>()((set, get) => {
    const patch = (path: string, p: Partial<FileEntry>) => {
      const f = get().files[path];
      if (!f) return;
      set({ files: { ...get().files, [path]: { ...f, ...p } } });
    };
    const sid = () => {
      const s = get().session;
      if (!s) throw new Error('no session is open');
      return s.id;
    };
    const cancelAutosave = (path: string) => {
      const t = timers.get(path);
      if (t !== undefined) clearTimer(t);
      timers.delete(path);
    };

    async function fetchContent(sessionId: string, path: string): Promise<void> {
      try {
        const f = await api.readFile(sessionId, path);
        if (get().session?.id !== sessionId) return;
        const cur = get().files[path];
        const text = f.encoding === 'base64' ? '' : f.content;
        const keepEdits = cur && cur.loaded && cur.content !== cur.saved;
        set({
          files: {
            ...get().files,
            [path]: {
              ...(cur ?? entryFrom(f)),
              version: f.version,
              binary: f.binary || f.encoding === 'base64',
              size: f.size,
              loaded: true,
              saved: text,
              content: keepEdits ? cur.content : text,
              conflict: keepEdits ? cur.version !== f.version : false,
              error: null,
            },
          },
        });
      } catch (e) {
        patch(path, { error: e instanceof Error ? e.message : String(e) });
        throw e;
      }
    }

    /** A live file's "save": wait until the server has written our edits to the file of record. */
    async function settleLive(path: string): Promise<boolean> {
      const content = get().files[path]?.content;
      patch(path, { saving: true });
      const ok = await deps.coEdit!.flushed(path);
      const cur = get().files[path];
      if (!cur) return ok;
      if (ok) patch(path, { saving: false, saved: cur.content === content ? content : cur.saved, conflict: false, error: null, errorCode: null });
      else patch(path, { saving: false, error: 'not on the server yet: co-editing is reconnecting', errorCode: 'offline' });
      return ok;
    }

    async function doSave(path: string, force: boolean): Promise<boolean> {
      if (coMode(path) === 'pending') await deps.coEdit!.decided(path);
      if (coMode(path) === 'live') return settleLive(path);
      const f = get().files[path];
      if (!f || !f.loaded || f.binary) return true;
      if (f.content === f.saved && f.version > 0 && !force) return true;
      if (!force && f.errorCode && PERMANENT_SAVE_ERRORS.has(f.errorCode) && refused.get(path) === f.content) return false;
      const sessionId = sid();
      const content = f.content;
      patch(path, { saving: true });
      try {
        const m = await api.writeFile(sessionId, path, content, force ? undefined : f.version);
        const cur = get().files[path];
        if (cur && get().session?.id === sessionId) {
          patch(path, { saving: false, saved: content, version: m.version, size: m.size, conflict: false, error: null, errorCode: null });
        }
        refused.delete(path);
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          patch(path, { saving: false, conflict: true, error: 'changed elsewhere', errorCode: 'conflict' });
          if (deps.onConflict) deps.onConflict(path);
          else deps.onError?.(`${path} was changed elsewhere; your edits are kept — overwrite or reload it.`);
        } else {
          const code = e instanceof ApiError ? e.code : 'internal';
          if (PERMANENT_SAVE_ERRORS.has(code)) refused.set(path, content);
          patch(path, { saving: false, error: e instanceof Error ? e.message : String(e), errorCode: code });
          deps.onError?.(`Could not save ${path}: ${e instanceof Error ? e.message : String(e)}`);
        }
        return false;
      }
    }

    return {
      ...EMPTY,

      async load(sessionId) {
        const my = ++loadSeq;
        for (const t of timers.values()) clearTimer(t);
        timers.clear();
        set({ ...EMPTY, loading: true });
        try {
          const s = await api.getSession(sessionId);
          if (my !== loadSeq) return;
          const files: Record<string, FileEntry> = {};
          for (const m of s.files) files[m.path] = entryFrom(m);
          const paths = sortedPaths(files);
          const active = mainFileFor(s.language, paths) ?? null;
          set({ session: s, role: s.role ?? 'viewer', files, active, loading: false });
          if (active) await fetchContent(s.id, active).catch(() => undefined);
        } catch (e) {
          if (my !== loadSeq) return;
          set({ loading: false, loadError: e instanceof Error ? e.message : String(e) });
          throw e;
        }
      },

      close() {
        loadSeq++;
        for (const t of timers.values()) clearTimer(t);
        timers.clear();
        set({ ...EMPTY });
      },

      async open(path) {
        const f = get().files[path];
        if (!f) return;
        set({ active: path });
        if (!f.loaded && !f.binary) await fetchContent(sid(), path).catch(() => undefined);
      },

      edit(path, content) {
        const f = get().files[path];
        if (!f || f.content === content) return;
        if (coMode(path) === 'live') {
          // the document is the record: an edit that reaches the server now is saved
          cancelAutosave(path);
          patch(path, { content, saved: deps.coEdit!.connected(path) ? content : f.saved, conflict: false });
          return;
        }
        patch(path, { content });
        cancelAutosave(path);
        if (autosaveMs > 0 && get().role && get().role !== 'viewer' && get().role !== 'runner') {
          timers.set(
            path,
            setTimer(() => {
              timers.delete(path);
              if (!get().files[path]?.conflict) void get().save(path);
            }, autosaveMs),
          );
        }
      },

      async save(path, opts) {
        cancelAutosave(path);
        const prev = inflight.get(path);
        const run = (async () => {
          if (prev) await prev.catch(() => false);
          return doSave(path, !!opts?.force);
        })();
        inflight.set(path, run);
        try {
          return await run;
        } finally {
          if (inflight.get(path) === run) inflight.delete(path);
        }
      },

      async saveAll() {
        const paths = Object.values(get().files)
          .filter((f) => f.loaded && (f.content !== f.saved || f.version === 0 || timers.has(f.path)))
          .map((f) => f.path);
        const pendingSaves = [...inflight.values()];
        const results = await Promise.all([
          ...paths.map((p) => get().save(p)),
          ...pendingSaves.map((p) => p.catch(() => false)),
          // live files are written by the server: wait until it has had time to (a run reads them)
          ...(deps.coEdit ? [deps.coEdit.flushed()] : []),
        ]);
        return results.every(Boolean);
      },

      async create(path, content = '') {
        const sessionId = sid();
        if (get().files[path]) {
          deps.onError?.(`${path} already exists`);
          return false;
        }
        try {
          const m = await api.writeFile(sessionId, path, content, 0);
          set({
            files: { ...get().files, [path]: { ...entryFrom(m), loaded: true, content, saved: content } },
            active: path,
          });
          return true;
        } catch (e) {
          deps.onError?.(`Could not create ${path}: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        }
      },

      async rename(from, to) {
        const sessionId = sid();
        if (from === to) return true;
        await get().save(from).catch(() => false);
        try {
          const r = await api.renameFile(sessionId, from, to);
          const files: Record<string, FileEntry> = {};
          const old = get().files;
          for (const m of r.files) {
            // a renamed directory moves every file under it
            const origin = m.path === to ? from : m.path.startsWith(to + '/') ? from + m.path.slice(to.length) : m.path;
            const prev = old[origin];
            files[m.path] = prev ? { ...prev, path: m.path, version: m.version, size: m.size } : entryFrom(m);
          }
          const active = get().active;
          const nextActive =
            active === from ? to : active && active.startsWith(from + '/') ? to + active.slice(from.length) : active;
          set({ files, active: nextActive && files[nextActive] ? nextActive : mainFileFor(get().session!.language, sortedPaths(files)) ?? null });
          return true;
        } catch (e) {
          deps.onError?.(`Could not rename ${from}: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        }
      },

      async remove(path) {
        const sessionId = sid();
        cancelAutosave(path);
        try {
          await api.deleteFile(sessionId, path);
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 404)) {
            deps.onError?.(`Could not delete ${path}: ${e instanceof Error ? e.message : String(e)}`);
            return false;
          }
        }
        const files = { ...get().files };
        for (const p of Object.keys(files)) if (p === path || p.startsWith(path + '/')) delete files[p];
        const active = get().active;
        set({
          files,
          active: active && files[active] ? active : mainFileFor(get().session?.language ?? '', sortedPaths(files)) ?? null,
        });
        const next = get().active;
        if (next && !files[next].loaded) await get().open(next);
        return true;
      },

      async revert(path) {
        cancelAutosave(path);
        patch(path, { content: get().files[path]?.saved ?? '', conflict: false, error: null });
        await fetchContent(sid(), path).catch(() => undefined);
      },

      async refresh() {
        const s = get().session;
        if (!s) return;
        let list: FileMeta[];
        try {
          list = (await api.listFiles(s.id)).files;
        } catch {
          return;
        }
        if (get().session?.id !== s.id) return;
        const old = get().files;
        const files: Record<string, FileEntry> = {};
        const reload: string[] = [];
        for (const m of list) {
          const prev = old[m.path];
          if (!prev) {
            files[m.path] = entryFrom(m);
          } else if (m.version !== prev.version && coMode(m.path) === 'live') {
            // the server wrote it from the document we are editing: nothing to reload, no conflict
            files[m.path] = { ...prev, version: m.version, size: m.size };
          } else if (m.version !== prev.version && !prev.saving) {
            const dirty = prev.loaded && prev.content !== prev.saved;
            files[m.path] = { ...prev, size: m.size, conflict: dirty ? true : prev.conflict };
            if (prev.loaded && !dirty) reload.push(m.path);
            else if (!prev.loaded) files[m.path] = { ...prev, version: m.version, size: m.size };
          } else {
            files[m.path] = prev;
          }
        }
        // files gone from the server: keep only ones with unsaved text (they can be saved again)
        for (const [p, f] of Object.entries(old)) {
          if (!files[p] && f.loaded && f.content !== f.saved && f.version > 0) files[p] = { ...f, version: 0, conflict: false };
        }
        const active = get().active;
        set({ files, active: active && files[active] ? active : mainFileFor(s.language, sortedPaths(files)) ?? null });
        await Promise.all(reload.map((p) => fetchContent(s.id, p).catch(() => undefined)));
        const a = get().active;
        if (a && files[a] && !get().files[a].loaded) await get().open(a);
      },

      async restore(restored) {
        for (const f of restored) {
          const cur = get().files[f.path];
          if (cur) {
            if (!cur.loaded) await fetchContent(sid(), f.path).catch(() => undefined);
            get().edit(f.path, f.content);
          } else {
            await get().create(f.path, f.content);
          }
        }
        const first = restored[0]?.path;
        if (first) set({ active: mainFileFor(get().session?.language ?? '', restored.map((f) => f.path)) ?? first });
      },

      setSessionMeta(p) {
        const s = get().session;
        if (s) set({ session: { ...s, ...p } });
      },

      isDirty(path) {
        const f = get().files[path];
        return !!f && f.loaded && (f.content !== f.saved || f.version === 0);
      },

      saveProblems() {
        return Object.values(get().files)
          .filter((f) => f.loaded && f.error && (f.content !== f.saved || f.version === 0))
          .map((f) => ({ path: f.path, code: f.errorCode ?? 'internal', message: f.error!, onServer: f.version > 0 }));
      },

      coEditSynced(path) {
        const f = get().files[path];
        if (f && f.loaded) patch(path, { saved: f.content, conflict: false, error: null, errorCode: null });
      },

      dirtyPaths() {
        return Object.values(get().files)
          .filter((f) => f.loaded && (f.content !== f.saved || f.version === 0))
          .map((f) => f.path);
      },
    };
  });
}

export type WorkspaceStore = ReturnType<typeof createWorkspaceStore>;
