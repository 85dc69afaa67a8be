/** Why the editor is read-only: the user's role in the session, or the server refused their edits. */
import { useStore } from 'zustand';
import { atLeast } from '../types/api';
import { collab, workspace } from '../lib/services';

export function ReadOnlyBanner() {
  const role = useStore(workspace, (s) => s.role);
  const denied = useStore(collab, (s) => s.denied);
  const live = useStore(collab, (s) => Object.values(s.modes).includes('live'));
  if (!role) return null;
  const byRole = !atLeast(role, 'editor');
  if (!byRole && !denied) return null;
  const follow = live ? ' You see the others’ edits live.' : '';
  return (
    <div className="editor-overlay readonly-banner" role="status" data-testid="readonly-banner" data-reason={byRole ? 'role' : 'denied'}>
      {byRole ? `Read-only: you are a ${role} in this session.${follow}` : `Read-only: the server refused your edits (${denied}).`}
    </div>
  );
}
