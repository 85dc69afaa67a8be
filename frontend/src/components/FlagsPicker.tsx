import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { api, toasts, workspace } from '../lib/services';
import { errorMessage } from '../lib/api';
import { atLeast, type SessionSettings } from '../types/api';
import { compilerFlags, parseCompilerFlags, C_COMPILERS, CPP_COMPILERS, C_STANDARDS, CPP_STANDARDS, type CFlags } from '../lib/languages';

/**
 * Free-form flags (e.g. -fsanitize=address), a draft until Enter or leaving the field: then they
 * are saved with the session's settings, and a flag the server does not allow is refused with its
 * reason (the saved flags stay as they were).
 */
function ExtraFlags({ value, disabled, onChange }: { value: string; disabled: boolean; onChange: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value.trim()) onChange(draft.trim());
  };
  return (
    <label>
      More flags
      <input
        value={draft}
        disabled={disabled}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
        placeholder="-fsanitize=address -DDEBUG"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        data-testid="extra-flags"
        title="Space-separated compiler flags; the server checks each against its allowlist"
      />
    </label>
  );
}

const NO_SETTINGS: SessionSettings = { compiler: null, compiler_flags: [] };

/**
 * The C/C++ compiler and its common flags (the protocol's compiler and compiler_flags): settings of
 * the session, stored with it (PUT /api/sessions/:id/settings), so every member and every browser
 * sees the same; editors may change them.
 */
export function FlagsPicker({ sessionId, family }: { sessionId: string; family: 'c' | 'cpp' }) {
  const settings = useStore(workspace, (s) => (s.session?.id === sessionId ? s.session.settings : undefined)) ?? NO_SETTINGS;
  const role = useStore(workspace, (s) => s.role);
  const canEdit = atLeast(role ?? undefined, 'editor');
  const compilers = family === 'c' ? C_COMPILERS : CPP_COMPILERS;
  const compiler = settings.compiler && compilers.includes(settings.compiler) ? settings.compiler : '';
  const flags = parseCompilerFlags(settings.compiler_flags, compiler);
  const set = (p: Partial<CFlags>) => {
    const next: CFlags = { ...flags, ...p };
    const wanted: SessionSettings = { compiler: next.compiler || null, compiler_flags: compilerFlags(next) };
    const before = workspace.getState().session?.settings;
    workspace.getState().setSessionMeta({ settings: wanted });
    api
      .putSettings(sessionId, wanted)
      .then((saved) => {
        if (workspace.getState().session?.id === sessionId) workspace.getState().setSessionMeta({ settings: saved });
      })
      .catch((e) => {
        if (workspace.getState().session?.id === sessionId) workspace.getState().setSessionMeta({ settings: before });
        toasts.getState().push({ kind: 'error', message: `The compiler settings were not saved: ${errorMessage(e)}` });
      });
  };
  const list = compilerFlags(flags);
  const stds = family === 'c' ? C_STANDARDS : CPP_STANDARDS;
  return (
    <details className="flags" data-testid="flags-picker">
      <summary title={canEdit ? 'Compiler and flags (the session’s, for everyone in it)' : 'Compiler and flags (editors may change them)'}>
        <span data-testid="compiler">{compiler || compilers[0]}</span>
        {list.length ? ` ${list.join(' ')}` : ''}
      </summary>
      <div className="menu flags-menu">
        <label>
          Compiler
          <select value={compiler} disabled={!canEdit} onChange={(e) => set({ compiler: e.target.value })} data-testid="compiler-select">
            <option value="">default ({compilers[0]})</option>
            {compilers.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Optimisation
          <select value={flags.opt} disabled={!canEdit} onChange={(e) => set({ opt: e.target.value as CFlags['opt'] })}>
            <option value="">default (-O2)</option>
            <option value="-O0">-O0</option>
            <option value="-O1">-O1</option>
            <option value="-O2">-O2</option>
            <option value="-O3">-O3</option>
          </select>
        </label>
        <label>
          Standard
          <select value={flags.std} disabled={!canEdit} onChange={(e) => set({ std: e.target.value })}>
            <option value="">default</option>
            {stds.map((s) => (
              <option key={s} value={s}>
                -std={s}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={flags.wall} disabled={!canEdit} onChange={(e) => set({ wall: e.target.checked })} /> -Wall
        </label>
        <label className="check">
          <input type="checkbox" checked={flags.wextra} disabled={!canEdit} onChange={(e) => set({ wextra: e.target.checked })} /> -Wextra
        </label>
        <label className="check">
          <input type="checkbox" checked={flags.debug} disabled={!canEdit} onChange={(e) => set({ debug: e.target.checked })} /> -g (debug info)
        </label>
        <ExtraFlags value={flags.extra ?? ''} disabled={!canEdit} onChange={(extra) => set({ extra })} />
      </div>
    </details>
  );
}
