import { useStore } from 'zustand';
import { ui } from '../lib/services';
import { compilerFlags, C_COMPILERS, CPP_COMPILERS, C_STANDARDS, CPP_STANDARDS, type CFlags } from '../lib/languages';

/** Free-form flags (e.g. -fsanitize=address); a flag the server does not allow is refused with its reason when the run starts. */
function ExtraFlags({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <label>
      More flags
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
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

/** The common C/C++ compiler flags (the protocol's compiler_flags), kept per session. */
export function FlagsPicker({ sessionId, family }: { sessionId: string; family: 'c' | 'cpp' }) {
  const flags = useStore(ui, (s) => s.cflags[sessionId]) ?? ui.getState().flagsFor(sessionId);
  const set = (p: Partial<CFlags>) => ui.getState().setFlags(sessionId, { ...flags, ...p });
  const list = compilerFlags(flags);
  const stds = family === 'c' ? C_STANDARDS : CPP_STANDARDS;
  const compilers = family === 'c' ? C_COMPILERS : CPP_COMPILERS;
  const compiler = flags.compiler && compilers.includes(flags.compiler) ? flags.compiler : '';
  return (
    <details className="flags">
      <summary title="Compiler and flags">
        {compiler || compilers[0]}
        {list.length ? ` ${list.join(' ')}` : ''}
      </summary>
      <div className="menu flags-menu">
        <label>
          Compiler
          <select value={compiler} onChange={(e) => set({ compiler: e.target.value })}>
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
          <select value={flags.opt} onChange={(e) => set({ opt: e.target.value as CFlags['opt'] })}>
            <option value="">default (-O2)</option>
            <option value="-O0">-O0</option>
            <option value="-O1">-O1</option>
            <option value="-O2">-O2</option>
            <option value="-O3">-O3</option>
          </select>
        </label>
        <label>
          Standard
          <select value={flags.std} onChange={(e) => set({ std: e.target.value })}>
            <option value="">default</option>
            {stds.map((s) => (
              <option key={s} value={s}>
                -std={s}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={flags.wall} onChange={(e) => set({ wall: e.target.checked })} /> -Wall
        </label>
        <label className="check">
          <input type="checkbox" checked={flags.wextra} onChange={(e) => set({ wextra: e.target.checked })} /> -Wextra
        </label>
        <label className="check">
          <input type="checkbox" checked={flags.debug} onChange={(e) => set({ debug: e.target.checked })} /> -g (debug info)
        </label>
        <ExtraFlags value={flags.extra ?? ''} onChange={(extra) => set({ extra })} />
      </div>
    </details>
  );
}
