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
import { startStack } from './stack.mjs';

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
