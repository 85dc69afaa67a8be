import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { api, toasts, ui, workspace } from '../lib/services';
import { errorMessage } from '../lib/api';
import { joinUrl } from '../lib/router';
import type { Share } from '../types/api';
import { Modal } from './Modal';

const ROLES: { id: Share['role']; text: string }[] = [
  { id: 'viewer', text: 'Viewer — sees the code and watches runs' },
  { id: 'runner', text: 'Runner — also runs it and types input' },
  { id: 'editor', text: 'Editor — also changes files' },
];

export function ShareDialog() {
  const open = useStore(ui, (s) => s.shareOpen);
  const session = useStore(workspace, (s) => s.session);
  const [role, setRole] = useState<Share['role']>('runner');
  const [shares, setShares] = useState<Share[]>([]);
  const [fresh, setFresh] = useState<Share | null>(null);

  useEffect(() => {
    if (!open || !session) return;
    setFresh(null);
    api
      .listShares(session.id)
      .then((r) => setShares(r.items.filter((s) => !s.revoked)))
      .catch((e) => toasts.getState().push({ kind: 'error', message: errorMessage(e) }));
  }, [open, session]);

  if (!session) return null;

  const create = async () => {
    try {
      const s = await api.createShare(session.id, role);
      setFresh(s);
      setShares([s, ...shares]);
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  const copy = async (s: Share) => {
    try {
      await navigator.clipboard.writeText(joinUrl(s.token));
      toasts.getState().push({ kind: 'success', message: 'Link copied' });
    } catch {
      toasts.getState().push({ kind: 'info', message: 'Select the link and copy it.' });
    }
  };

  const revoke = async (s: Share) => {
    try {
      await api.revokeShare(session.id, s.token);
      setShares(shares.filter((x) => x.token !== s.token));
      if (fresh?.token === s.token) setFresh(null);
    } catch (e) {
      toasts.getState().push({ kind: 'error', message: errorMessage(e) });
    }
  };

  return (
    <Modal open={open} onClose={() => ui.getState().setShare(false)} title={`Share “${session.name}”`}>
      <fieldset className="roles">
        <legend>People who open the link join as</legend>
        {ROLES.map((r) => (
          <label key={r.id} className="check">
            <input type="radio" name="role" value={r.id} checked={role === r.id} onChange={() => setRole(r.id)} /> {r.text}
          </label>
        ))}
      </fieldset>
      <button className="btn primary" onClick={() => void create()}>
        Create link
      </button>
      {fresh && (
        <div className="share-link">
          <label className="field">
            Join link ({fresh.role})
            <input readOnly value={joinUrl(fresh.token)} onFocus={(e) => e.target.select()} data-testid="join-link" />
          </label>
          <button className="btn" onClick={() => void copy(fresh)}>
            Copy
          </button>
        </div>
      )}
      {shares.length > 0 && (
        <>
          <h3>Active links</h3>
          <ul className="share-list">
            {shares.map((s) => (
              <li key={s.token}>
                <span className="lang-tag">{s.role}</span>
                <code className="ellipsis">{joinUrl(s.token)}</code>
                <button className="btn small" onClick={() => void copy(s)}>
                  Copy
                </button>
                <button className="btn small danger" onClick={() => void revoke(s)}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
