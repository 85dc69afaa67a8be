/** Languages the live fleet serves (GET /api/languages, refreshed) and the starter templates. */
import { createStore } from 'zustand/vanilla';
import type { Api } from './api';
import type { Language, Template } from '../types/api';

export interface CatalogState {
  languages: Language[];
  templates: Template[];
  loaded: boolean;
  refresh(): Promise<void>;
  language(name: string | null | undefined): Language | undefined;
}

export function createCatalogStore(api: Api) {
  return createStore<CatalogState>()((set, get) => ({
    languages: [],
    templates: [],
    loaded: false,
    async refresh() {
      const [languages, templates] = await Promise.all([
        api.languages().catch(() => get().languages),
        get().templates.length ? Promise.resolve(get().templates) : api.templates().catch(() => [] as Template[]),
      ]);
      set({ languages, templates, loaded: true });
    },
    language(name) {
      return name ? get().languages.find((l) => l.name === name) : undefined;
    },
  }));
}

export type CatalogStore = ReturnType<typeof createCatalogStore>;
