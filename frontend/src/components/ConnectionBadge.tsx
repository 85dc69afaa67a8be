import { useStore } from 'zustand';
import { client, connection } from '../lib/services';

const LABEL: Record<string, string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** Always-visible state of the WebSocket; click to retry now while reconnecting. */
export function ConnectionBadge() {
  const status = useStore(connection, (s) => s.status);
  const attempt = useStore(connection, (s) => s.attempt);
  return (
    <button
      className={`conn conn-${status}`}
      onClick={() => client.reconnectNow()}
      disabled={status === 'open' || status === 'connecting'}
      title={status === 'reconnecting' ? `Attempt ${attempt}; click to retry now` : LABEL[status]}
      data-testid="connection"
      data-status={status}
    >
      <span className="dot" aria-hidden />
      <span className="conn-label" role="status">
        {LABEL[status]}
      </span>
    </button>
  );
}
