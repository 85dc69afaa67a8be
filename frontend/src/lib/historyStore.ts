/** The session's run history (newest first) and the run picked in it. */
import { createStore } from 'zustand/vanilla';
import type { Api } from './api';
import { isLiveRun, type Run, type RunDetail } from '../types/api';

export interface HistoryState {
  sessionId: string | null;
  runs: Run[];
  total: number;
  loading: boolean;
  selected: RunDetail | null;
  setSession(id: string | null): void;
  refresh(): Promise<void>;
  select(runId: string): Promise<RunDetail>;
  clearSelection(): void;
  /** The newest run still going, if any. */
  liveRun(): Run | undefined;
}

export function createHistoryStore(api: Api) {
  let seq = 0;
  return createStore<HistoryState>()((set, get) => ({
    sessionId: null,
    runs: [],
    total: 0,
    loading: false,
    selected: null,
    setSession(id) {
      seq++;
      set({ sessionId: id, runs: [], total: 0, selected: null });
    },
    async refresh() {
      const id = get().sessionId;
      if (!id) return;
      const my = ++seq;
      set({ loading: true });
      try {
        const page = await api.listRuns(id, 0, 30);
        if (my !== seq) return;
        set({ runs: page.items, total: page.total, loading: false });
      } catch {
        if (my === seq) set({ loading: false });
      }
    },
    async select(runId) {
      const d = await api.getRun(runId);
      set({ selected: d });
      return d;
    },
    clearSelection() {
      set({ selected: null });
    },
    liveRun() {
      return get().runs.find((r) => isLiveRun(r));
    },
  }));
}

export type HistoryStore = ReturnType<typeof createHistoryStore>;
