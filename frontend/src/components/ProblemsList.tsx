import { useStore } from 'zustand';
import { runs } from '../lib/services';

/** The last compile's diagnostics; each one jumps to its line. */
export function ProblemsList({ onJump }: { onJump: (file: string, line: number, column: number) => void }) {
  const diagnostics = useStore(runs, (s) => s.diagnostics);
  if (!diagnostics.length) return <p className="muted pad">No problems from the last compile.</p>;
  return (
    <ul className="problems">
      {diagnostics.map((d, i) => (
        <li key={i}>
          <button className="problem" onClick={() => onJump(d.file ?? '', d.line ?? 1, d.column ?? 1)}>
            <span className={`sev sev-${d.severity ?? 'error'}`}>{d.severity ?? 'error'}</span>
            <span className="loc">
              {d.file}:{d.line}
              {d.column ? `:${d.column}` : ''}
            </span>
            <span className="msg">{d.message}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
