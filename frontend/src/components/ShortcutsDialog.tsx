import { useStore } from 'zustand';
import { ui } from '../lib/services';
import { Modal } from './Modal';

const KEYS: [string, string][] = [
  ['Ctrl/⌘ + Enter', 'Run (saves first)'],
  ['Ctrl/⌘ + Shift + Enter', 'Stop the run'],
  ['Ctrl/⌘ + S', 'Save all files'],
  ['Enter (terminal)', 'Send the typed line to the program'],
  ['Ctrl + D (terminal)', 'End of input (EOF)'],
  ['Ctrl + C (terminal)', 'Stop the run'],
  ['Alt + 1 … 5', 'Focus editor, terminal, files, sessions, history'],
  ['F2 / Delete', 'Rename / delete the focused file or session'],
  ['Tab / Shift + Tab', 'Move between controls (Ctrl+M in the editor toggles Tab trapping)'],
  ['F1 or ?', 'This list'],
];

export function ShortcutsDialog() {
  const open = useStore(ui, (s) => s.shortcutsOpen);
  return (
    <Modal open={open} onClose={() => ui.getState().setShortcuts(false)} title="Keyboard shortcuts">
      <table className="keys">
        <tbody>
          {KEYS.map(([k, v]) => (
            <tr key={k}>
              <th>
                <kbd>{k}</kbd>
              </th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
