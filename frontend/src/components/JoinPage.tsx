import { useEffect, useState } from 'react';
import { api, sessions } from '../lib/services';
import { errorMessage } from '../lib/api';
import { navigate, sessionHref } from '../lib/router';

/** /join/:token — joins the shared session, then opens it. */
export function JoinPage({ token }: { token: string }) {
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api
      .join(token)
      .then((s) => {
        if (cancelled) return;
        void sessions.getState().refresh();
        navigate(sessionHref(s.id), true);
      })
      .catch((e) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
  }, [token]);

  return (
    <main className="auth">
      <div className="auth-card">
        {error ? (
          <>
            <h1>Cannot join</h1>
            <p className="error" role="alert">
              {error}
            </p>
            <button className="btn primary" onClick={() => navigate('#/', true)}>
              Go to my sessions
            </button>
          </>
        ) : (
          <p aria-live="polite">Joining the session…</p>
        )}
      </div>
    </main>
  );
}
