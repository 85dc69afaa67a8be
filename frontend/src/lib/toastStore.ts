/** Toasts: readable messages for errors and events, with optional actions (Undo, Follow, …). */
import { createStore } from 'zustand/vanilla';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success' | 'warn';
  message: string;
  actions?: ToastAction[];
  /** ms; 0 = until dismissed */
  timeout: number;
}

export interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id' | 'timeout'> & { timeout?: number }): number;
  dismiss(id: number): void;
}

export function createToastStore(setTimer: (fn: () => void, ms: number) => unknown = (fn, ms) => setTimeout(fn, ms)) {
  let next = 1;
  return createStore<ToastState>()((set, get) => ({
    toasts: [],
    push(t) {
      const id = next++;
      const timeout = t.timeout ?? (t.kind === 'error' ? 8000 : 5000);
      // the same message twice in a row is shown once
      const same = get().toasts.find((x) => x.message === t.message && x.kind === t.kind);
      if (same) get().dismiss(same.id);
      set({ toasts: [...get().toasts.slice(-4), { ...t, id, timeout }] });
      if (timeout > 0) setTimer(() => get().dismiss(id), timeout);
      return id;
    },
    dismiss(id) {
      set({ toasts: get().toasts.filter((t) => t.id !== id) });
    },
  }));
}

export type ToastStore = ReturnType<typeof createToastStore>;
