/** Who else is in the session (co-editing awareness): an avatar each, with their file and typing. */
import { useStore } from 'zustand';
import { collab } from '../lib/services';
import type { Peer } from '../lib/collabState';

function initials(name: string): string {
  const parts = name.replace(/[^\p{L}\p{N} ]+/gu, ' ').trim().split(/\s+/);
  const s = parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] ?? '').slice(0, 2);
  return s.toUpperCase() || '?';
}

function describe(p: Peer): string {
  const who = p.self ? `${p.name} (you, in another tab)` : p.name;
  return `${who}${p.file ? ` — ${p.file}` : ''}${p.typing ? ' — typing…' : ''}`;
}

export function PresenceAvatars() {
  const peers = useStore(collab, (s) => s.peers);
  if (!peers.length) return null;
  const typing = peers.filter((p) => p.typing);
  return (
    <div className="presence" data-testid="presence" aria-label="In this session">
      <ul className="presence-list">
        {peers.map((p) => (
          <li
            key={p.id}
            className={`avatar${p.typing ? ' typing' : ''}`}
            style={{ backgroundColor: p.color }}
            title={describe(p)}
            aria-label={describe(p)}
            data-testid="presence-avatar"
            data-user-id={p.id}
            data-user-name={p.name}
            data-file={p.file ?? ''}
            data-typing={p.typing ? 'true' : 'false'}
          >
            {initials(p.name)}
          </li>
        ))}
      </ul>
      {typing.length > 0 && (
        <span className="presence-typing muted" data-testid="presence-typing" aria-live="polite">
          {typing.map((p) => p.name).join(', ')} typing…
        </span>
      )}
    </div>
  );
}
