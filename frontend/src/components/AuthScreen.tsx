import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { auth, toasts } from '../lib/services';
import { errorMessage } from '../lib/api';

/** Sign in: one click as a guest, or with a username and password. */
export function AuthScreen({ joining }: { joining: boolean }) {
  const busy = useStore(auth, (s) => s.busy);
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  const guest = async () => {
    setError(null);
    try {
      await auth.getState().guest();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      if (mode === 'login') await auth.getState().login(username, password);
      else await auth.getState().register(username, password);
      toasts.getState().push({ kind: 'success', message: `Signed in as ${username}` });
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <main className="auth">
      <div className="auth-card">
        <h1 className="brand">
          <span className="logo" aria-hidden>
            ▚
          </span>{' '}
          Sandpit
        </h1>
        <p className="muted">
          {joining
            ? 'Sign in to join the shared session.'
            : 'Write code in eight languages, run it in a sandbox and talk to it while it runs.'}
        </p>
        <button className="btn primary big" onClick={guest} disabled={busy} data-testid="guest">
          Start coding as a guest
        </button>
        <div className="divider">
          <span>or</span>
        </div>
        <div className="tabs" role="tablist" aria-label="Account">
          <button role="tab" aria-selected={mode === 'login'} className="tab" onClick={() => setMode('login')}>
            Sign in
          </button>
          <button role="tab" aria-selected={mode === 'register'} className="tab" onClick={() => setMode('register')}>
            Create account
          </button>
        </div>
        <form onSubmit={submit} className="auth-form">
          <label>
            Username
            <input
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="username"
              pattern="[A-Za-z0-9_.\-]{3,32}"
              title="3 to 32 letters, digits, _ . -"
              required
            />
          </label>
          <label>
            Password
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
              minLength={8}
              required
            />
          </label>
          <button className="btn" type="submit" disabled={busy}>
            {mode === 'login' ? 'Sign in' : 'Create account'}
          </button>
        </form>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}
