import { useStore } from 'zustand';
import { toasts } from '../lib/services';

export function Toasts() {
  const list = useStore(toasts, (s) => s.toasts);
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span className="toast-msg">{t.message}</span>
          {t.actions?.map((a) => (
            <button
              key={a.label}
              className="btn small"
              onClick={() => {
                toasts.getState().dismiss(t.id);
                a.run();
              }}
            >
              {a.label}
            </button>
          ))}
          <button className="icon-btn" aria-label="Dismiss" onClick={() => toasts.getState().dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
