/**
 * End-to-end through the launcher, the way a user runs it: `./sandpit up` started from a shell
 * that ignores SIGINT and SIGQUIT and blocks SIGINT (what bash's `&` and some terminals and CI
 * runners hand down), then runs over the WebSocket from real Chromium. Stop must reach the
 * program as an ordinary SIGINT: Python's `except KeyboardInterrupt` and a shell's trap run, and
 * the run ends well within a second of Stop, never by the SIGKILL after the 2 s grace.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { ROOT, startStack } from './stack.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let stack;
let browser;
let page;

/** Processes whose environment names this stack's data directory, with their command lines. */
function stackProcesses(dataDir) {
  const out = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!env.includes(`SANDPIT_DATA_DIR=${dataDir}`)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      out.push({ pid, cmdline, sigIgn: BigInt('0x' + /SigIgn:\s*([0-9a-f]+)/.exec(status)[1]), sigBlk: BigInt('0x' + /SigBlk:\s*([0-9a-f]+)/.exec(status)[1]) });
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

const SIGINT = 1n << 1n;
const SIGQUIT = 1n << 2n;

/**
 * Run {@code code} in {@code language} over /ws/execute from the page; once {@code readyText} has
 * been printed, send stop. Resolves with the output, the complete event and ms from stop to complete.
 */
function runAndStop(language, code, readyText) {
  return page.evaluate(
    ({ language, code, readyText }) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws/execute');
        let output = '';
        let job = null;
        let stoppedAt = 0;
        const timer = setTimeout(() => reject(new Error('no complete within 20 s; output so far: ' + output)), 20_000);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'execute', language, code, request_id: 'r1' }));
        ws.onmessage = (m) => {
          const e = JSON.parse(m.data);
          if (e.type === 'accepted') job = e.job_id;
          if (e.type === 'output') {
            output += e.data;
            if (!stoppedAt && output.includes(readyText)) {
              stoppedAt = performance.now();
              ws.send(JSON.stringify({ type: 'stop', job_id: job }));
            }
          }
          if (e.type === 'error') {
            clearTimeout(timer);
            reject(new Error('error event: ' + m.data));
          }
          if (e.type === 'complete') {
            clearTimeout(timer);
            ws.close();
            resolve({ output, complete: e, stopToCompleteMs: stoppedAt ? performance.now() - stoppedAt : -1 });
          }
        };
      }),
    { language, code, readyText },
  );
}

describe('./sandpit up started with SIGINT ignored and blocked', () => {
  before(async () => {
    // the launcher's parent ignores INT and QUIT and blocks INT, as a background job of a script does
    stack = await startStack({ wrap: ['env', '--ignore-signal=INT,QUIT', '--block-signal=INT'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await (await browser.newContext()).newPage();
    await page.goto(`${stack.url}/health`);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('the services start with SIGINT and SIGQUIT at their default dispositions', () => {
    const procs = stackProcesses(stack.dataDir).filter((p) => /ExecutorMain|BuildMain|GatewayMain|redis-server/.test(p.cmdline));
    assert.ok(procs.filter((p) => p.cmdline.includes('ExecutorMain')).length >= 1, JSON.stringify(procs.map((p) => p.cmdline)));
    for (const p of procs) {
      assert.equal(p.sigIgn & (SIGINT | SIGQUIT), 0n, `${p.cmdline.slice(0, 80)}: SigIgn ${p.sigIgn.toString(16)}`);
      assert.equal(p.sigBlk & SIGINT, 0n, `${p.cmdline.slice(0, 80)}: SigBlk ${p.sigBlk.toString(16)}`);
    }
  });

  test('a sandboxed program starts with no signal ignored or blocked', async () => {
    const r = await runAndStop('bash', "grep -E '^Sig(Ign|Blk)' /proc/self/status; echo ready; sleep 30", 'ready');
    assert.match(r.output, /^SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nready\n/);
  });

  test("Python's except KeyboardInterrupt runs on Stop, within a second", async () => {
    const code = [
      'import time',
      "st = dict(l.split(':\\t') for l in open('/proc/self/status').read().splitlines() if l.startswith(('SigIgn', 'SigBlk')))",
      "print('ign', st['SigIgn'], 'blk', st['SigBlk'], flush=True)",
      'try:',
      "    print('ready', flush=True)",
      '    time.sleep(30)',
      'except KeyboardInterrupt:',
      "    print('caught KeyboardInterrupt', flush=True)",
    ].join('\n');
    const r = await runAndStop('python', code, 'ready');
    // (Python itself ignores SIGPIPE and SIGXFSZ; SIGINT must be neither ignored nor blocked)
    const [, ign, blk] = /^ign ([0-9a-f]+) blk ([0-9a-f]+)\n/.exec(r.output);
    assert.equal(BigInt('0x' + ign) & (SIGINT | SIGQUIT), 0n, r.output);
    assert.equal(BigInt('0x' + blk), 0n, r.output);
    assert.match(r.output, /caught KeyboardInterrupt\n$/);
    assert.equal(r.complete.status, 'stopped');
    assert.doesNotMatch(r.complete.message ?? '', /killed after/);
    assert.ok(r.stopToCompleteMs >= 0 && r.stopToCompleteMs < 1000, `Stop to complete took ${r.stopToCompleteMs} ms`);
  });

  test("a shell's INT trap runs on Stop, and the run ends with the trap's exit code", async () => {
    const code = "trap 'echo trapped; exit 3' INT\necho ready\nsleep 30 &\nwait\n";
    const r = await runAndStop('bash', code, 'ready');
    assert.equal(r.output, 'ready\ntrapped\n');
    assert.equal(r.complete.exit_code, 3);
    assert.doesNotMatch(r.complete.message ?? '', /killed after/);
    assert.ok(r.stopToCompleteMs >= 0 && r.stopToCompleteMs < 1000, `Stop to complete took ${r.stopToCompleteMs} ms`);
  });
});

/** The pids of a process's children (direct), from /proc. */
function childrenOf(pid) {
  const out = [];
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'latin1');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (ppid === String(pid)) out.push(p);
    } catch {
      /* gone */
    }
  }
  return out;
}

function descendants(pid) {
  const all = [];
  for (let frontier = [String(pid)]; frontier.length; ) {
    const next = frontier.flatMap(childrenOf);
    all.push(...next);
    frontier = next;
  }
  return all;
}

async function until(what, ms, cond) {
  const deadline = Date.now() + ms;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${stackLogs()}`);
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** The tail of the launcher's output and of every service log: what a failure message needs. */
function stackLogs() {
  if (!stack) return '';
  const dir = join(ROOT, '.sandpit', 'logs');
  let out = `--- launcher\n${stack.output().slice(-2000)}`;
  try {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) out += `\n--- ${f}\n${readFileSync(join(dir, f), 'utf8').slice(-1500)}`;
  } catch {
    /* no logs yet */
  }
  return out;
}

async function health(url) {
  try {
    const r = await fetch(`${url}/health`);
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

describe('./sandpit up --gateways 2 keeps the stack up when a service dies', () => {
  let g1;
  let g2;
  before(async () => {
    stack = await startStack({ args: ['--gateways', '2'] });
    g1 = stack.url;
    g2 = `http://127.0.0.1:${stack.port + 1}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await (await browser.newContext()).newPage();
    await page.goto(`${g1}/health`);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('two gateways on consecutive ports share Redis and the database', async () => {
    assert.equal((await health(g2))?.status, 'ok', stackLogs());
    const guest = await (await fetch(`${g1}/api/auth/guest`, { method: 'POST' })).json();
    const auth = { Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' };
    const made = await (await fetch(`${g1}/api/sessions`, { method: 'POST', headers: auth, body: JSON.stringify({ template: 'python-hello' }) })).json();
    // the token made by one gateway is good on the other, and the session is in the one database
    const seen = await fetch(`${g2}/api/sessions/${made.id}`, { headers: auth });
    assert.equal(seen.status, 200);
    assert.equal((await seen.json()).id, made.id);
  });

  test("kill -9 of the executor running a job: its client gets executor_lost, the gateway stays, the executor comes back", async () => {
    const executors = () => stackProcesses(stack.dataDir).filter((p) => p.cmdline.includes('ExecutorMain')).map((p) => p.pid);
    const before = executors();
    assert.equal(before.length, 2, JSON.stringify(before));
    const ws = page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws/execute');
          let out = '';
          const timer = setTimeout(() => resolve({ status: 'no complete within 40 s', message: out }), 40_000);
          ws.onopen = () => ws.send(JSON.stringify({ type: 'execute', language: 'python', code: "import time\nprint('ready', flush=True)\ntime.sleep(60)", request_id: 'k' }));
          ws.onmessage = (m) => {
            const e = JSON.parse(m.data);
            if (e.type === 'output') {
              out += e.data;
              if (out.includes('ready')) window.__ready = true;
            }
            if (e.type === 'complete') {
              clearTimeout(timer);
              resolve({ status: e.status, message: e.message, open: ws.readyState === WebSocket.OPEN });
            }
          };
        }),
    );
    await until('the program to run', 20_000, () => page.evaluate(() => window.__ready === true));
    const victim = await until('the executor running it', 5000, () =>
      before.find((pid) => descendants(pid).some((c) => readFileSync(`/proc/${c}/cmdline`, 'latin1').startsWith('/usr/bin/python3'))),
    );
    process.kill(Number(victim), 'SIGKILL');
    const end = await ws;
    assert.equal(end.status, 'executor_lost', JSON.stringify(end) + '\n' + stackLogs());
    assert.equal(end.open, true, 'the client keeps its socket');
    assert.equal((await health(g1))?.status, 'ok');
    // the launcher says so and starts another; the fleet is back to two, and runs go on
    await until('the launcher to restart the executor', 20_000, () => /executor-\d exited \(status \d+\); restarting/.test(stack.output()));
    await until('two executors again', 60_000, async () => executors().length === 2 && (await health(g1))?.workers?.executor === 2);
    const r = await runAndStop('python', "print('after')\nimport time\ntime.sleep(30)", 'after');
    assert.equal(r.complete.status, 'stopped');
  });

  test('kill -9 of a gateway: it is restarted on its port, and the other gateway serves meanwhile', async () => {
    const gw2 = stackProcesses(stack.dataDir).find((p) => p.cmdline.includes('GatewayMain') && p.cmdline.length && readFileSync(`/proc/${p.pid}/environ`, 'latin1').includes(`SANDPIT_HTTP_PORT=${stack.port + 1}\0`));
    assert.ok(gw2, 'the second gateway\n' + stackLogs());
    process.kill(Number(gw2.pid), 'SIGKILL');
    assert.equal((await health(g1))?.status, 'ok');
    await until('the launcher to restart the gateway', 20_000, () => /gateway-2 exited \(status \d+\); restarting/.test(stack.output()));
    await until('the second gateway to answer again', 60_000, async () => (await health(g2))?.status === 'ok');
  });
});
