/**
 * Routes in the URL hash (#/s/<session>, #/join/<token>), so every link works from the gateway's
 * plain static file server; /join/<token> as a path is understood too (dev server, or a server
 * that falls back to index.html).
 */
import { useSyncExternalStore } from 'react';

export type Route = { name: 'home' } | { name: 'session'; id: string } | { name: 'join'; token: string };

export function parseRoute(hash: string, pathname = '/'): Route {
  const h = hash.replace(/^#/, '');
  let m = /^\/s\/([^/?#]+)/.exec(h);
  if (m) return { name: 'session', id: decodeURIComponent(m[1]) };
  m = /^\/join\/([^/?#]+)/.exec(h) ?? /^\/join\/([^/?#]+)/.exec(pathname);
  if (m) return { name: 'join', token: decodeURIComponent(m[1]) };
  return { name: 'home' };
}

export function sessionHref(id: string): string {
  return `#/s/${encodeURIComponent(id)}`;
}

export function joinUrl(token: string, origin = window.location.origin): string {
  return `${origin}/#/join/${encodeURIComponent(token)}`;
}

export function navigate(hash: string, replace = false): void {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (window.location.pathname !== '/' && /^\/join\//.test(window.location.pathname)) {
    window.history.replaceState(null, '', `/${target}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return;
  }
  if (replace) {
    window.history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = target;
  }
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  window.addEventListener('popstate', cb);
  return () => {
    window.removeEventListener('hashchange', cb);
    window.removeEventListener('popstate', cb);
  };
}

const snapshot = () => window.location.hash + '|' + window.location.pathname;

export function useRoute(): Route {
  const key = useSyncExternalStore(subscribe, snapshot);
  const [hash, pathname] = key.split('|');
  return parseRoute(hash, pathname);
}
