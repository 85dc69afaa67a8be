/** UI state that is not data: theme, open panels and dialogs, "jump to this line" requests. */
import { createStore } from 'zustand/vanilla';

export type Theme = 'dark' | 'light';
export type BottomTab = 'terminal' | 'problems' | 'history';

export interface Reveal {
  path: string;
  line: number;
  column: number;
  nonce: number;
}

export interface DiffRequest {
  title: string;
  /** The run's files against the current ones. */
  files: { path: string; original: string; modified: string }[];
  sessionLanguage: string;
}

export interface UiState {
  theme: Theme;
  sidebarOpen: boolean;
  tab: BottomTab;
  reveal: Reveal | null;
  diff: DiffRequest | null;
  shareOpen: boolean;
  shortcutsOpen: boolean;
  newSessionOpen: boolean;
  toggleTheme(): void;
  setSidebar(open: boolean): void;
  setTab(tab: BottomTab): void;
  revealAt(path: string, line: number, column?: number): void;
  openDiff(d: DiffRequest | null): void;
  setShare(open: boolean): void;
  setShortcuts(open: boolean): void;
  setNewSession(open: boolean): void;
}

const THEME_KEY = 'sandpit.theme';

export function createUiStore() {
  const initialTheme = (typeof document !== 'undefined' && (document.documentElement.dataset.theme as Theme)) || 'dark';
  let nonce = 0;
  return createStore<UiState>()((set, get) => ({
    theme: initialTheme,
    sidebarOpen: typeof window !== 'undefined' ? window.innerWidth > 900 : true,
    tab: 'terminal',
    reveal: null,
    diff: null,
    shareOpen: false,
    shortcutsOpen: false,
    newSessionOpen: false,
    toggleTheme() {
      const theme: Theme = get().theme === 'dark' ? 'light' : 'dark';
      document.documentElement.dataset.theme = theme;
      try {
        localStorage.setItem(THEME_KEY, theme);
      } catch {
        /* private mode */
      }
      set({ theme });
    },
    setSidebar: (sidebarOpen) => set({ sidebarOpen }),
    setTab: (tab) => set({ tab }),
    revealAt: (path, line, column = 1) => set({ reveal: { path, line, column, nonce: ++nonce } }),
    openDiff: (diff) => set({ diff }),
    setShare: (shareOpen) => set({ shareOpen }),
    setShortcuts: (shortcutsOpen) => set({ shortcutsOpen }),
    setNewSession: (newSessionOpen) => set({ newSessionOpen }),
  }));
}

export type UiStore = ReturnType<typeof createUiStore>;
