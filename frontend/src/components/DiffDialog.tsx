/** A run's files against the current ones, in Monaco's diff editor (lazily loaded with Monaco). */
import { useState } from 'react';
import { DiffEditor } from '@monaco-editor/react';
import { useStore } from 'zustand';
import '../lib/monacoSetup';
import { ui } from '../lib/services';
import { monacoLanguageFor } from '../lib/languages';
import { Modal } from './Modal';

export default function DiffDialog() {
  const diff = useStore(ui, (s) => s.diff);
  const theme = useStore(ui, (s) => s.theme);
  const changed = diff?.files.filter((f) => f.original !== f.modified) ?? [];
  const [picked, setPicked] = useState<string | null>(null);
  if (!diff) return null;
  const path = picked ?? changed[0]?.path ?? diff.files[0]?.path;
  const file = diff.files.find((f) => f.path === path);

  return (
    <Modal open onClose={() => ui.getState().openDiff(null)} title={diff.title} wide>
      <div className="diff-toolbar">
        <label>
          File{' '}
          <select value={path ?? ''} onChange={(e) => setPicked(e.target.value)}>
            {diff.files.map((f) => (
              <option key={f.path} value={f.path}>
                {f.path}
                {f.original === f.modified ? ' (same)' : !f.original ? ' (new since)' : !f.modified ? ' (gone now)' : ' (changed)'}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">left: the run · right: now</span>
      </div>
      <div className="diff-host" data-testid="diff">
        {file ? (
          <DiffEditor
            original={file.original}
            modified={file.modified}
            language={monacoLanguageFor(file.path, diff.sessionLanguage)}
            theme={theme === 'dark' ? 'sandpit-dark' : 'sandpit-light'}
            options={{ readOnly: true, renderSideBySide: window.innerWidth > 700, automaticLayout: true, minimap: { enabled: false } }}
          />
        ) : (
          <p className="muted pad">No text files to compare.</p>
        )}
      </div>
    </Modal>
  );
}
