/** The sidebar's session list: search (?q=), language filter, create from a template, rename, delete. */
import { createStore } from 'zustand/vanilla';
import type { Api } from './api';
import type { Session, SessionWithFiles } from '../types/api';

export interface SessionsState {
  items: Session[];
  total: number;
  q: string;
  language: string;
  loading: boolean;
  error: string | null;
  setQuery(q: string): void;
  setLanguage(language: string): void;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  create(templateId: string, name?: string): Promise<SessionWithFiles>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** Update one entry in place (session_updated events, own language change). */
  upsert(s: Partial<Session> & { id: string }): void;
}

const PAGE = 30;

export function createSessionsStore(api: Api, debounceMs = 250) {
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return createStore<SessionsState>()((set, get) => {
    const debounced = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void get().refresh(), debounceMs);
    };
    return {
      items: [],
      total: 0,
      q: '',
      language: '',
      loading: false,
      error: null,
      setQuery(q) {
        set({ q });
        debounced();
      },
      setLanguage(language) {
        set({ language });
        void get().refresh();
      },
      async refresh() {
        const my = ++seq;
        set({ loading: true });
        try {
          const page = await api.listSessions({ q: get().q.trim() || undefined, language: get().language || undefined, limit: PAGE });
          if (my !== seq) return;
          set({ items: page.items, total: page.total, loading: false, error: null });
        } catch (e) {
          if (my !== seq) return;
          set({ loading: false, error: e instanceof Error ? e.message : String(e) });
        }
      },
      async loadMore() {
        const my = ++seq;
        const page = await api.listSessions({
          q: get().q.trim() || undefined,
          language: get().language || undefined,
          offset: get().items.length,
          limit: PAGE,
        });
        if (my !== seq) return;
        const known = new Set(get().items.map((s) => s.id));
        set({ items: [...get().items, ...page.items.filter((s) => !known.has(s.id))], total: page.total });
      },
      async create(templateId, name) {
        const s = await api.createSession(name ? { template: templateId, name } : { template: templateId });
        set({ items: [s, ...get().items.filter((x) => x.id !== s.id)], total: get().total + 1 });
        return s;
      },
      async rename(id, name) {
        const s = await api.updateSession(id, { name });
        get().upsert(s);
      },
      async remove(id) {
        await api.deleteSession(id);
        set({ items: get().items.filter((s) => s.id !== id), total: Math.max(0, get().total - 1) });
      },
      upsert(s) {
        const items = get().items;
        const i = items.findIndex((x) => x.id === s.id);
        if (i < 0) return;
        const next = items.slice();
        next[i] = { ...items[i], ...s };
        set({ items: next });
      },
    };
  });
}

export type SessionsStore = ReturnType<typeof createSessionsStore>;
