import { useState } from 'react';
import { useStore } from 'zustand';
import { catalog, sessions, toasts, ui } from '../lib/services';
import { errorMessage } from '../lib/api';
import { navigate, sessionHref } from '../lib/router';
import { Modal } from './Modal';

/** New session from a starter template, for the languages a live worker serves. */
export function NewSessionDialog() {
  const open = useStore(ui, (s) => s.newSessionOpen);
  const templates = useStore(catalog, (s) => s.templates);
  const languages = useStore(catalog, (s) => s.languages);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const create = async (templateId: string) => {
    setBusy(true);
    try {
      const s = await sessions.getState().create(templateId, name.trim() || undefined);
      ui.getState().setNewSession(false);
      setName('');
      navigate(sessionHref(s.id));
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} onClose={() => ui.getState().setNewSession(false)} title="New session" wide>
      <label className="field">
        Name (optional)
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="from the template" />
      </label>
      <div className="templates">
        {languages.map((l) => {
          const ts = templates.filter((t) => t.language === l.name);
          if (!ts.length) return null;
          return (
            <div key={l.name} className="template-group">
              <h3>{l.display ?? l.name}</h3>
              {ts.map((t) => (
                <button key={t.id} className="btn template" disabled={busy} onClick={() => void create(t.id)} data-template={t.id}>
                  {t.name}
                </button>
              ))}
            </div>
          );
        })}
        {!languages.length && <p className="muted">No language is available right now: no worker is running.</p>}
      </div>
    </Modal>
  );
}
