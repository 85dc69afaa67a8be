import { useEffect } from 'react';
import { useStore } from 'zustand';
import { auth, catalog, client } from '../lib/services';
import { useRoute } from '../lib/router';
import { AuthScreen } from './AuthScreen';
import { JoinPage } from './JoinPage';
import { Ide } from './Ide';
import { Toasts } from './Toasts';
import { DialogHost } from './DialogHost';

export function App() {
  const token = useStore(auth, (s) => s.token);
  const route = useRoute();

  useEffect(() => {
    void catalog.getState().refresh();
    // languages come and go with the workers: keep the picker honest
    const t = setInterval(() => void catalog.getState().refresh(), 30_000);
    return () => clearInterval(t);
  }, []);

  useEffect(() => {
    if (!token) return;
    client.connect();
    void auth.getState().verify();
  }, [token]);

  return (
    <>
      {!token ? (
        <AuthScreen joining={route.name === 'join'} />
      ) : route.name === 'join' ? (
        <JoinPage token={route.token} />
      ) : (
        <Ide sessionId={route.name === 'session' ? route.id : null} />
      )}
      <Toasts />
      <DialogHost />
    </>
  );
}
