import { useStore } from 'zustand';
import { runs, terminal, ui, workspace } from '../lib/services';
import { normaliseDiagnosticPath } from '../lib/languages';
import { TerminalPane } from './TerminalPane';
import { ProblemsList } from './ProblemsList';
import { HistoryPanel } from './HistoryPanel';
import type { BottomTab } from '../lib/uiStore';

const TABS: { id: BottomTab; label: string }[] = [
  { id: 'terminal', label: 'Terminal' },
  { id: 'problems', label: 'Problems' },
  { id: 'history', label: 'History' },
];

function jump(file: string, line: number, column: number) {
  const paths = Object.keys(workspace.getState().files);
  const path = normaliseDiagnosticPath(file, paths);
  if (path) ui.getState().revealAt(path, line, column);
}

export function BottomPanel() {
  const tab = useStore(ui, (s) => s.tab);
  // errors and warnings, as the terminal's "n errors, m warnings" counts them (notes are not problems)
  const problems = useStore(runs, (s) => s.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').length);
  const live = useStore(runs, (s) => s.isLive());
  const phase = useStore(runs, (s) => s.phase);
  const prompt = useStore(runs, (s) => s.prompt);
  const canControl = useStore(runs, (s) => s.canControl);

  return (
    <div className="bottom-panel">
      <div className="tabs" role="tablist" aria-label="Output panels">
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            role="tab"
            className="tab"
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            onClick={() => ui.getState().setTab(t.id)}
          >
            {t.label}
            {t.id === 'problems' && problems > 0 ? <span className="badge">{problems}</span> : null}
          </button>
        ))}
        <div className="spacer" />
        {phase === 'waiting_input' && canControl && tab === 'terminal' && (
          <span className="hint" role="status">
            Waiting for input{prompt ? `: “${prompt.trim()}”` : ''} — type in the terminal, Enter sends, Ctrl+D ends input
          </span>
        )}
        {live && canControl && tab === 'terminal' && (
          // for touch screens, where Ctrl+D and Ctrl+C cannot be typed: the same keys, through the same line editing
          <span className="term-keys">
            <button className="btn small" onClick={() => terminal.keys('\x04')} title="End of input (Ctrl+D)" data-testid="eof">
              EOF
            </button>
            <button className="btn small" onClick={() => terminal.keys('\x03')} title="Interrupt the program (Ctrl+C)" data-testid="interrupt">
              Interrupt
            </button>
          </span>
        )}
      </div>
      <div id="panel-terminal" role="tabpanel" aria-labelledby="tab-terminal" className="tab-panel terminal-panel" hidden={tab !== 'terminal'}>
        <div id="terminal-region" className="terminal-wrap">
          <TerminalPane onLocation={jump} />
        </div>
      </div>
      <div id="panel-problems" role="tabpanel" aria-labelledby="tab-problems" className="tab-panel" hidden={tab !== 'problems'}>
        <ProblemsList onJump={jump} />
      </div>
      <div id="panel-history" role="tabpanel" aria-labelledby="tab-history" className="tab-panel" hidden={tab !== 'history'}>
        <div id="history-region">
          <HistoryPanel />
        </div>
      </div>
    </div>
  );
}
