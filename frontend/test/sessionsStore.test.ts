import { describe, expect, it, vi } from 'vitest';
import { createSessionsStore } from '../src/lib/sessionsStore';
import { createHistoryStore } from '../src/lib/historyStore';
import { createToastStore } from '../src/lib/toastStore';
import type { Api } from '../src/lib/api';
import type { Session } from '../src/types/api';

const S = (id: string, name = id, language = 'python'): Session => ({ id, name, language, owner_id: 'u', role: 'owner', created_at: 0, updated_at: 0, version: 1 });

describe('sessions store', () => {
  it('searches with the query and language filter, debounced', async () => {
    vi.useFakeTimers();
    const calls: unknown[] = [];
    const api = { listSessions: async (q: unknown) => (calls.push(q), { items: [S('a')], total: 1, offset: 0, limit: 30 }) } as unknown as Api;
    const store = createSessionsStore(api, 250);
    store.getState().setQuery('he');
    store.getState().setQuery('hello');
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([{ q: 'hello', language: undefined, limit: 30 }]);
    store.getState().setLanguage('cpp');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls[1]).toEqual({ q: 'hello', language: 'cpp', limit: 30 });
    expect(store.getState().items.map((s) => s.id)).toEqual(['a']);
    vi.useRealTimers();
  });

  it('a slow older answer does not overwrite a newer one', async () => {
    const resolvers: ((v: unknown) => void)[] = [];
    const api = { listSessions: () => new Promise((r) => resolvers.push(r)) } as unknown as Api;
    const store = createSessionsStore(api);
    const first = store.getState().refresh();
    const second = store.getState().refresh();
    resolvers[1]({ items: [S('new')], total: 1, offset: 0, limit: 30 });
    resolvers[0]({ items: [S('old')], total: 1, offset: 0, limit: 30 });
    await Promise.all([first, second]);
    expect(store.getState().items.map((s) => s.id)).toEqual(['new']);
  });

  it('creates from a template (newest first), renames and deletes', async () => {
    const api = {
      createSession: async (b: { template: string }) => ({ ...S('n', b.template), files: [] }),
      updateSession: async (id: string, p: { name: string }) => S(id, p.name),
      deleteSession: async () => undefined,
    } as unknown as Api;
    const store = createSessionsStore(api);
    store.setState({ items: [S('a')], total: 1 });
    await store.getState().create('python-interactive');
    expect(store.getState().items.map((s) => s.id)).toEqual(['n', 'a']);
    await store.getState().rename('a', 'Renamed');
    expect(store.getState().items[1].name).toBe('Renamed');
    await store.getState().remove('n');
    expect(store.getState().items.map((s) => s.id)).toEqual(['a']);
    expect(store.getState().total).toBe(1);
  });
});

describe('history store', () => {
  it('lists runs and finds the one still going ("running" or no status)', async () => {
    const api = {
      listRuns: async () => ({
        items: [
          { id: 'r2', status: 'running', started_at: 2 },
          { id: 'r1', status: 'ok', started_at: 1 },
        ],
        total: 2,
      }),
    } as unknown as Api;
    const h = createHistoryStore(api);
    h.getState().setSession('s');
    await h.getState().refresh();
    expect(h.getState().liveRun()?.id).toBe('r2');
    h.setState({ runs: [{ id: 'x', status: null } as never] });
    expect(h.getState().liveRun()?.id).toBe('x');
    h.setState({ runs: [{ id: 'y', status: 'timeout' } as never] });
    expect(h.getState().liveRun()).toBeUndefined();
  });
});

describe('toast store', () => {
  it('stacks at most five, merges repeats and dismisses on a timer', () => {
    const timers: (() => void)[] = [];
    const t = createToastStore((fn) => timers.push(fn));
    for (let i = 0; i < 7; i++) t.getState().push({ kind: 'info', message: `m${i}` });
    expect(t.getState().toasts.map((x) => x.message)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
    t.getState().push({ kind: 'info', message: 'm6' });
    expect(t.getState().toasts.filter((x) => x.message === 'm6')).toHaveLength(1);
    timers.forEach((f) => f());
    expect(t.getState().toasts).toEqual([]);
  });
});
