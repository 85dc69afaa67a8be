/** Who is signed in: the token (kept in localStorage) and the user. */
import { createStore } from 'zustand/vanilla';
import type { Api } from './api';
import type { AuthResult, User } from '../types/api';

export const TOKEN_KEY = 'sandpit.token';
const USER_KEY = 'sandpit.user';

export interface AuthState {
  token: string | null;
  user: User | null;
  busy: boolean;
  guest(): Promise<void>;
  login(username: string, password: string): Promise<void>;
  register(username: string, password: string): Promise<void>;
  signOut(): void;
  /** Check the stored token (a 401 signs out). */
  verify(): Promise<void>;
}

export interface StorageLike {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

export function createAuthStore(getApi: () => Api, storage: StorageLike) {
  let user: User | null = null;
  try {
    user = JSON.parse(storage.getItem(USER_KEY) ?? 'null');
  } catch {
    user = null;
  }
  return createStore<AuthState>()((set, get) => {
    const accept = (r: AuthResult) => {
      storage.setItem(TOKEN_KEY, r.token);
      storage.setItem(USER_KEY, JSON.stringify(r.user));
      set({ token: r.token, user: r.user, busy: false });
    };
    const wrap = async (f: () => Promise<AuthResult>) => {
      set({ busy: true });
      try {
        accept(await f());
      } catch (e) {
        set({ busy: false });
        throw e;
      }
    };
    return {
      token: storage.getItem(TOKEN_KEY),
      user,
      busy: false,
      guest: () => wrap(() => getApi().guest()),
      login: (u, p) => wrap(() => getApi().login(u, p)),
      register: (u, p) => wrap(() => getApi().register(u, p)),
      signOut() {
        storage.removeItem(TOKEN_KEY);
        storage.removeItem(USER_KEY);
        set({ token: null, user: null });
      },
      async verify() {
        if (!get().token) return;
        try {
          const u = await getApi().me();
          storage.setItem(USER_KEY, JSON.stringify(u));
          set({ user: u });
        } catch (e) {
          if ((e as { status?: number }).status === 401) get().signOut();
        }
      },
    };
  });
}

export type AuthStore = ReturnType<typeof createAuthStore>;
