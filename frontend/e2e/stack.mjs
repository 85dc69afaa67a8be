/**
 * The real stack for the end-to-end tests: builds the frontend, then `../sandpit up` on a free
 * port with its own Redis (a private redis-server: the URL given does not answer) and its own data
 * directory, waits until /health and /api/languages answer, and stops it with SIGTERM.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const FRONTEND = resolve(import.meta.dirname, '..');
export const ROOT = resolve(FRONTEND, '..');

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export function buildFrontend() {
  execFileSync('npm', ['run', 'build'], { cwd: FRONTEND, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Start the stack; resolves with { url, stop() } once it answers. {@code wrap}: a command the
 * launcher is started through (e.g. env with signals ignored, as a user's shell may start it);
 * {@code args}: more options of `./sandpit up` (with --gateways N, the others listen on the ports after it).
 */
export async function startStack({ timeoutMs = 8 * 60_000, log = () => {}, wrap = [], args = [] } = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sandpit-e2e-'));
  // the launcher's output goes to a file, not a pipe: if this process dies first, the launcher
  // must not die of SIGPIPE in its clean-up (leaving its services running)
  const logPath = join(dataDir, 'launcher.log');
  const logFd = openSync(logPath, 'w');
  const argv = [...wrap, join(ROOT, 'sandpit'), 'up', '--port', String(port), ...args];
  const child = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: {
      ...process.env,
      SANDPIT_REDIS_URL: 'redis://127.0.0.1:1', // nothing answers there: the launcher starts a private Redis
      SANDPIT_DATA_DIR: dataDir,
      SANDPIT_FRONTEND_DIR: join(FRONTEND, 'dist'),
    },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const output = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  // never leave the stack behind, however this process ends
  const orphanGuard = () => {
    if (!exited) child.kill('SIGTERM');
  };
  process.on('exit', orphanGuard);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      orphanGuard();
      process.exit(130);
    });
  }

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`./sandpit up exited (${JSON.stringify(exited)}):\n${output().slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the stack did not answer within ${timeoutMs} ms:\n${output().slice(-4000)}`);
    }
    try {
      const h = await fetch(`${url}/health`);
      const l = await fetch(`${url}/api/languages`);
      const langs = l.ok ? await l.json() : [];
      // the launcher says it is up once every gateway answers (with --gateways N, not only this one)
      if (h.ok && langs.some((x) => x.name === 'python') && langs.some((x) => x.name === 'cpp') && /Sandpit is up/.test(output())) break;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }

  async function stop() {
    process.off('exit', orphanGuard);
    if (!exited) {
      child.kill('SIGTERM'); // the launcher's trap stops every process it started
      const until = Date.now() + 30_000;
      while (!exited && Date.now() < until) await sleep(100);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  log(output().trimEnd());
  return { url, port, stop, output, dataDir };
}
