import { useStore } from 'zustand';
import { runs, workspace } from '../lib/services';
import { completeSummary, formatBytesKb, formatMs } from '../lib/runStore';
import { ConnectionBadge } from './ConnectionBadge';

const PHASE: Record<string, string> = {
  idle: 'Ready',
  starting: 'Starting…',
  queued: 'Queued',
  compiling: 'Compiling…',
  running: 'Running',
  waiting_input: 'Waiting for input',
  finished: 'Finished',
};

/** The status line: what the run is doing, and how it ended (status, exit code, time, memory). */
export function StatusLine() {
  const phase = useStore(runs, (s) => s.phase);
  const complete = useStore(runs, (s) => s.complete);
  const compile = useStore(runs, (s) => s.compile);
  const origin = useStore(runs, (s) => s.origin);
  const error = useStore(runs, (s) => s.error);
  const dirty = useStore(workspace, (s) => Object.values(s.files).filter((f) => f.loaded && f.content !== f.saved).length);
  const saving = useStore(workspace, (s) => Object.values(s.files).some((f) => f.saving));

  let text = PHASE[phase];
  if (phase === 'finished' && complete) text = completeSummary(complete);
  else if (phase === 'finished' && error) text = `Not started: ${error.message}`;
  const tone =
    phase === 'finished' ? (complete?.status === 'ok' ? 'ok' : 'bad') : phase === 'waiting_input' ? 'wait' : phase === 'idle' ? 'idle' : 'busy';

  return (
    <footer className="statusline">
      <span className={`run-status tone-${tone}`} role="status" aria-live="polite" data-testid="run-status" data-phase={phase}>
        <span className="dot" aria-hidden />
        {origin === 'replay' ? 'Replay · ' : origin === 'follow' ? 'Following · ' : ''}
        {text}
      </span>
      {complete?.cpu_ms != null && <span className="muted">cpu {formatMs(complete.cpu_ms)}</span>}
      {compile && (
        <span className="muted">
          compile {formatMs(compile.duration_ms)}
          {compile.cached ? ' (cached)' : ''}
        </span>
      )}
      {complete?.truncated && <span className="warn">output truncated at the cap</span>}
      {complete?.memory_kb != null && phase === 'finished' && <span className="sr-only">peak memory {formatBytesKb(complete.memory_kb)}</span>}
      <span className="spacer" />
      <span className="muted" data-testid="save-state">
        {saving ? 'Saving…' : dirty ? `${dirty} unsaved` : 'All changes saved'}
      </span>
      <ConnectionBadge />
    </footer>
  );
}
