import { describe, expect, it } from 'vitest';
import { createWorkspaceStore } from '../src/lib/workspaceStore';
import { ApiError, type Api } from '../src/lib/api';
import type { FileMeta } from '../src/types/api';
import { ManualTimers, flush } from './helpers';
import { coEditHooks, createCollabStore, type CoEditHooks } from '../src/lib/collabState';

/** An in-memory files API with versions, like the gateway's. */
function fakeApi(initial: Record<string, string>, role = 'owner') {
  const files = new Map<string, { content: string; version: number }>();
  for (const [p, c] of Object.entries(initial)) files.set(p, { content: c, version: 1 });
  const writes: { path: string; version?: number }[] = [];
  const meta = (p: string): FileMeta => ({ path: p, size: files.get(p)!.content.length, binary: false, version: files.get(p)!.version, updated_at: 0 });
  const api = {
    getSession: async (id: string) => ({
      id,
      name: 'S',
      language: 'python',
      owner_id: 'u',
      role,
      created_at: 0,
      updated_at: 0,
      version: 1,
      files: [...files.keys()].map(meta),
    }),
    listFiles: async () => ({ files: [...files.keys()].map(meta) }),
    readFile: async (_: string, p: string) => {
      const f = files.get(p);
      if (!f) throw new ApiError(404, 'not_found', 'no file');
      return { ...meta(p), content: f.content, encoding: 'utf-8' as const };
    },
    writeFile: async (_: string, p: string, content: string, version?: number) => {
      writes.push({ path: p, version });
      const cur = files.get(p);
      if (version !== undefined && (cur?.version ?? 0) !== version) throw new ApiError(409, 'conflict', 'stale version');
      files.set(p, { content, version: (cur?.version ?? 0) + 1 });
      return meta(p);
    },
    renameFile: async (_: string, from: string, to: string) => {
      const f = files.get(from)!;
      files.delete(from);
      files.set(to, f);
      return { files: [...files.keys()].map(meta) };
    },
    deleteFile: async (_: string, p: string) => {
      files.delete(p);
    },
  } as unknown as Api;
  /** Someone else writes a file. */
  const external = (p: string, content: string) => files.set(p, { content, version: (files.get(p)?.version ?? 0) + 1 });
  return { api, files, writes, external };
}

function setup(initial: Record<string, string> = { 'main.py': 'print(1)\n', 'util.py': 'x = 1\n' }, role = 'owner', coEdit?: CoEditHooks) {
  const server = fakeApi(initial, role);
  const timers = new ManualTimers();
  const errors: string[] = [];
  const store = createWorkspaceStore({
    api: server.api,
    autosaveMs: 800,
    setTimer: timers.setTimeout,
    clearTimer: timers.clearTimeout,
    onError: (m) => errors.push(m),
    coEdit,
  });
  return { store, server, timers, errors, s: () => store.getState() };
}

describe('workspace store', () => {
  it('opens the session on its main file, loading contents on demand', async () => {
    const { s } = setup({ 'b.py': 'b', 'main.py': 'm', 'lib/a.py': 'a' });
    await s().load('sess');
    expect(s().active).toBe('main.py');
    expect(s().files['main.py']).toMatchObject({ loaded: true, content: 'm', version: 1 });
    expect(s().files['b.py'].loaded).toBe(false);
    await s().open('lib/a.py');
    expect(s().active).toBe('lib/a.py');
    expect(s().files['lib/a.py'].content).toBe('a');
  });

  it('marks edits unsaved and auto-saves after a pause, with the version it started from', async () => {
    const { s, server, timers } = setup();
    await s().load('sess');
    s().edit('main.py', 'print(2)\n');
    expect(s().isDirty('main.py')).toBe(true);
    timers.advance(500);
    s().edit('main.py', 'print(3)\n');
    timers.advance(799);
    expect(server.writes).toHaveLength(0);
    timers.advance(1);
    await flush();
    expect(server.writes).toEqual([{ path: 'main.py', version: 1 }]);
    expect(s().isDirty('main.py')).toBe(false);
    expect(s().files['main.py'].version).toBe(2);
    expect(server.files.get('main.py')!.content).toBe('print(3)\n');
  });

  it('saveAll (before a run) writes every unsaved file and cancels the timers', async () => {
    const { s, server, timers } = setup();
    await s().load('sess');
    await s().open('util.py');
    s().edit('main.py', 'a');
    s().edit('util.py', 'b');
    expect(await s().saveAll()).toBe(true);
    expect(server.writes.map((w) => w.path).sort()).toEqual(['main.py', 'util.py']);
    timers.advance(5000);
    await flush();
    expect(server.writes).toHaveLength(2);
    expect(s().dirtyPaths()).toEqual([]);
  });

  it('a file the server refuses for good (too large) is not sent again until it changes, and is reported', async () => {
    const { s, server, errors } = setup();
    const write = server.api.writeFile;
    server.api.writeFile = async (id, p, content, version) => {
      if (content.length > 10) {
        server.writes.push({ path: p, version });
        throw new ApiError(413, 'too_large', 'the request body is larger than the 1 MiB limit');
      }
      return write(id, p, content, version);
    };
    await s().load('sess');
    s().edit('main.py', 'x'.repeat(20));
    expect(await s().saveAll()).toBe(false);
    expect(await s().saveAll()).toBe(false);
    expect(server.writes).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(s().saveProblems()).toEqual([{ path: 'main.py', code: 'too_large', message: 'the request body is larger than the 1 MiB limit', onServer: true }]);
    expect(s().isDirty('main.py')).toBe(true);
    s().edit('main.py', 'short');
    expect(await s().saveAll()).toBe(true);
    expect(s().saveProblems()).toEqual([]);
  });

  it('a write over someone else’s change is a conflict that keeps the edits', async () => {
    const { s, server, errors } = setup();
    await s().load('sess');
    server.external('main.py', 'theirs\n');
    s().edit('main.py', 'mine\n');
    expect(await s().save('main.py')).toBe(false);
    expect(s().files['main.py']).toMatchObject({ conflict: true, content: 'mine\n' });
    expect(errors[0]).toMatch(/changed elsewhere/);
    // overwrite on purpose
    expect(await s().save('main.py', { force: true })).toBe(true);
    expect(server.files.get('main.py')!.content).toBe('mine\n');
    expect(s().files['main.py'].conflict).toBe(false);
  });

  it('pulls in files changed elsewhere unless they have unsaved edits', async () => {
    const { s, server } = setup();
    await s().load('sess');
    await s().open('util.py');
    s().edit('util.py', 'local edit');
    server.external('main.py', 'new main\n');
    server.external('util.py', 'new util\n');
    server.files.set('added.py', { content: 'added', version: 1 });
    await s().refresh(['main.py', 'util.py', 'added.py']);
    expect(s().files['main.py']).toMatchObject({ content: 'new main\n', saved: 'new main\n', version: 2, conflict: false });
    expect(s().files['util.py']).toMatchObject({ content: 'local edit', conflict: true });
    expect(s().files['added.py']).toBeDefined();
  });

  it('ignores the echo of its own save', async () => {
    const { s, server } = setup();
    await s().load('sess');
    s().edit('main.py', 'mine');
    await s().save('main.py');
    const before = s().files['main.py'];
    await s().refresh(['main.py']);
    expect(s().files['main.py']).toEqual(before);
    expect(server.writes).toHaveLength(1);
  });

  it('creates, renames and deletes files', async () => {
    const { s, server } = setup();
    await s().load('sess');
    expect(await s().create('src/new.py', 'n')).toBe(true);
    expect(server.writes.at(-1)).toEqual({ path: 'src/new.py', version: 0 });
    expect(s().active).toBe('src/new.py');
    expect(await s().rename('src/new.py', 'src/renamed.py')).toBe(true);
    expect(s().active).toBe('src/renamed.py');
    expect(s().files['src/renamed.py'].content).toBe('n');
    expect(s().files['src/new.py']).toBeUndefined();
    expect(await s().remove('src/renamed.py')).toBe(true);
    expect(s().files['src/renamed.py']).toBeUndefined();
    expect(s().active).toBe('main.py');
  });

  it('restores a run’s files as edits and creates the missing ones', async () => {
    const { s, server, timers } = setup();
    await s().load('sess');
    await s().restore([
      { path: 'main.py', content: 'old main' },
      { path: 'gone.py', content: 'was there' },
    ]);
    expect(s().files['main.py'].content).toBe('old main');
    expect(s().isDirty('main.py')).toBe(true);
    expect(server.files.get('gone.py')!.content).toBe('was there');
    timers.advance(800);
    await flush();
    expect(server.files.get('main.py')!.content).toBe('old main');
  });

  it('does not auto-save for a role that may not edit', async () => {
    const { s, server, timers } = setup(undefined, 'runner');
    await s().load('sess');
    s().edit('main.py', 'x');
    timers.advance(5000);
    await flush();
    expect(server.writes).toHaveLength(0);
  });
});

describe('workspace store with co-editing', () => {
  /** The collab state as the engine would set it, and a flush the test releases. */
  function coEditing() {
    const collab = createCollabStore();
    const flushes: Array<(ok: boolean) => void> = [];
    collab.setState({ flush: () => new Promise<boolean>((r) => flushes.push(r)) });
    return { collab, hooks: coEditHooks(collab), flushes };
  }

  it('does not PUT a live file: the edit is saved once it reaches the server', async () => {
    const { collab, hooks } = coEditing();
    const { s, server, timers } = setup(undefined, 'owner', hooks);
    await s().load('sess');
    collab.setState({ modes: { 'main.py': 'live' }, connected: { 'main.py': true } });
    s().edit('main.py', 'print(2)\n');
    timers.advance(5000);
    await flush();
    expect(server.writes).toEqual([]);
    expect(s().isDirty('main.py')).toBe(false);
    expect(s().files['main.py'].conflict).toBe(false);
  });

  it('keeps a live file unsaved while its socket is away, and saved again once it resyncs', async () => {
    const { collab, hooks } = coEditing();
    const { s, server } = setup(undefined, 'owner', hooks);
    await s().load('sess');
    collab.setState({ modes: { 'main.py': 'live' }, connected: { 'main.py': false } });
    s().edit('main.py', 'print(3)\n');
    expect(s().isDirty('main.py')).toBe(true);
    collab.setState({ connected: { 'main.py': true } });
    s().coEditSynced('main.py');
    expect(s().isDirty('main.py')).toBe(false);
    expect(server.writes).toEqual([]);
  });

  it("lets a run wait for the server to write live files (saveAll waits for the engine's flush)", async () => {
    const { collab, hooks, flushes } = coEditing();
    const { s, server } = setup(undefined, 'owner', hooks);
    await s().load('sess');
    collab.setState({ modes: { 'main.py': 'live' }, connected: { 'main.py': true } });
    s().edit('main.py', 'print(4)\n');
    let done: boolean | null = null;
    const p = s()
      .saveAll()
      .then((ok) => (done = ok));
    await flush();
    expect(done).toBeNull();
    flushes.forEach((r) => r(true));
    await p;
    expect(done).toBe(true);
    expect(server.writes).toEqual([]);
  });

  it('does not reload or flag a conflict when the server rewrites a live file from its document', async () => {
    const { collab, hooks } = coEditing();
    const { s, server } = setup(undefined, 'owner', hooks);
    await s().load('sess');
    collab.setState({ modes: { 'main.py': 'live' }, connected: { 'main.py': true } });
    s().edit('main.py', 'print(5)\n');
    server.external('main.py', 'print(5)\n');
    await s().refresh();
    expect(s().files['main.py']).toMatchObject({ content: 'print(5)\n', conflict: false, version: 2 });
  });

  it('holds an autosave while the collab socket is pending, then PUTs as before when it falls back', async () => {
    const { collab, hooks } = coEditing();
    const { s, server, timers } = setup(undefined, 'owner', hooks);
    await s().load('sess');
    collab.setState({ modes: { 'main.py': 'pending' } });
    s().edit('main.py', 'print(6)\n');
    timers.advance(800);
    await flush();
    expect(server.writes).toEqual([]);
    collab.setState({ modes: { 'main.py': 'rest' } });
    await flush();
    await flush();
    expect(server.writes).toEqual([{ path: 'main.py', version: 1 }]);
    expect(s().isDirty('main.py')).toBe(false);
  });

  it('saves every file over REST, with the conflict dialog, when there is no collab state', async () => {
    const { hooks } = coEditing();
    const { s, server, timers, errors } = setup(undefined, 'owner', hooks);
    await s().load('sess');
    server.external('main.py', 'theirs');
    s().edit('main.py', 'mine');
    timers.advance(800);
    await flush();
    await flush();
    expect(s().files['main.py'].conflict).toBe(true);
    expect(errors.join()).toMatch(/changed elsewhere/);
  });
});
