/**
 * End-to-end: the built IDE in headless Debian Chromium (playwright-core) against the real stack
 * (gateway, executors, build worker, Redis) started here. Screenshots of the key states go to
 * test-results/, figures (load times, bundle sizes, keystroke echo latency) to
 * test-results/figures.json, and one screenshot of the IDE to ../docs/ide.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FRONTEND, ROOT, buildFrontend, startStack } from './stack.mjs';

const RESULTS = join(FRONTEND, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const figures = {};

let stack;
let browser;
let base;

const TICKS = 'import time\nfor i in range(1, 21):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.15)\nprint("done")\n';

// ---- helpers ----

async function newContext(opts = {}) {
  return browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark', ...opts });
}

/** A guest token and a session made through the REST API (for pages that start signed in). */
async function apiGuestSession(template = 'python-hello') {
  const g = await (await fetch(`${base}/api/auth/guest`, { method: 'POST' })).json();
  const s = await (
    await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${g.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ template }),
    })
  ).json();
  return { token: g.token, user: g.user, session: s };
}

async function signedInContext(token, opts) {
  const ctx = await newContext(opts);
  await ctx.addInitScript((t) => {
    if (!localStorage.getItem('sandpit.token')) localStorage.setItem('sandpit.token', t);
  }, token);
  return ctx;
}

function watchErrors(page, sink) {
  page.on('pageerror', (e) => sink.push(e.message));
}

/** The terminal's text, wrapped rows joined. */
function terminalText(page) {
  return page.evaluate(() => {
    const t = window.__sandpitTerm;
    if (!t) return '';
    const b = t.buffer.active;
    let out = '';
    for (let i = 0; i < b.length; i++) {
      const line = b.getLine(i);
      if (!line) continue;
      if (i > 0 && !line.isWrapped) out += '\n';
      out += line.translateToString(true);
    }
    return out;
  });
}

async function waitForTerminal(page, needle, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (typeof needle === 'string' ? text.includes(needle) : needle.test(text)) return text;
    await page.waitForTimeout(50);
  }
  throw new Error(`terminal never showed ${needle}; it shows:\n${text}`);
}

async function waitForEditor(page) {
  await page.waitForFunction(() => {
    const ed = window.__sandpitEditor;
    return !!ed && !!ed.getModel() && ed.getModel().getValue().length > 0;
  }, null, { timeout: 30_000 });
}

async function waitFinished(page, timeout = 60_000) {
  await page.locator('[data-testid="run-status"][data-phase="finished"]').waitFor({ timeout });
  return page.getByTestId('run-status').innerText();
}

async function setCode(page, code) {
  await page.evaluate((c) => window.__sandpitEditor.getModel().setValue(c), code);
}

async function createFromTemplate(page, templateId) {
  const before = await page.evaluate(() => location.hash);
  await page.getByRole('button', { name: '+ New' }).first().click();
  await page.locator(`[data-template="${templateId}"]`).click();
  // the new session is open when the editor shows a model of it
  await page.waitForFunction(
    (old) => {
      const m = /^#\/s\/(.+)$/.exec(location.hash);
      const model = window.__sandpitEditor?.getModel();
      return !!m && location.hash !== old && !!model && model.uri.authority === m[1] && model.getValue().length > 0;
    },
    before,
    { timeout: 30_000 },
  );
}

async function shot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `${name}.png`) });
}

function count(text, s) {
  return text.split(s).length - 1;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
}

/** Open the page and time it to an editable editor (the app's mark on the performance timeline). */
async function timeToEditor(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('sandpit:editor-ready').length > 0, null, { timeout: 60_000 });
  return page.evaluate(() => {
    const mark = performance.getEntriesByName('sandpit:editor-ready')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    const scripts = performance
      .getEntriesByType('resource')
      .filter((r) => r.name.endsWith('.js'))
      .map((r) => ({ name: r.name.split('/').pop(), transfer: r.transferSize, decoded: r.decodedBodySize, end: Math.round(r.responseEnd) }));
    return {
      editorReadyMs: Math.round(mark.startTime),
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      firstContentfulPaintMs: Math.round(performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1),
      scripts,
    };
  });
}

function bundleSizes() {
  const dist = join(FRONTEND, 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
  const assets = readdirSync(join(dist, 'assets'));
  const size = (f) => {
    const b = readFileSync(join(dist, 'assets', f));
    return { file: f, bytes: b.length, gzip: gzipSync(b).length };
  };
  const sum = (xs) => ({ bytes: xs.reduce((a, x) => a + x.bytes, 0), gzip: xs.reduce((a, x) => a + x.gzip, 0), files: xs.map((x) => x.file) });
  const monaco = assets.filter((f) => /^monaco-.*\.js$/.test(f)).map(size);
  return {
    initialJs: sum(initial.map(size)),
    initialCss: sum(assets.filter((f) => /^index-.*\.css$/.test(f)).map(size)),
    monacoJs: sum(monaco),
    monacoCss: sum(assets.filter((f) => /^monaco-.*\.css$/.test(f)).map(size)),
    editorWorkerJs: sum(assets.filter((f) => /^editor\.worker-.*\.js$/.test(f)).map(size)),
    lazyAppChunks: sum(assets.filter((f) => /^(EditorPane|DiffDialog|monacoSetup)-.*\.js$/.test(f)).map(size)),
  };
}

// ---- the suite ----

before(async () => {
  const t0 = Date.now();
  buildFrontend();
  stack = await startStack({ log: (l) => process.env.E2E_VERBOSE && console.error(l) });
  base = stack.url;
  figures.stackStartMs = Date.now() - t0;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stack?.stop();
  mkdirSync(RESULTS, { recursive: true });
  figures.bundle = bundleSizes();
  writeFileSync(join(RESULTS, 'figures.json'), JSON.stringify(figures, null, 2) + '\n');
  const f = figures;
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log('\n=== figures (test-results/figures.json) ===');
  if (f.load) {
    console.log(`page open → editable editor: cold ${f.load.coldMedianMs} ms (runs ${f.load.coldMs.join(', ')}), warm ${f.load.warmMedianMs} ms (runs ${f.load.warmMs.join(', ')})`);
  }
  console.log(`initial JS ${kb(f.bundle.initialJs.bytes)} (gzip ${kb(f.bundle.initialJs.gzip)}) vs Monaco chunk ${kb(f.bundle.monacoJs.bytes)} (gzip ${kb(f.bundle.monacoJs.gzip)}), editor worker ${kb(f.bundle.editorWorkerJs.bytes)}`);
  if (f.flood) console.log(`output flood (1 MiB cap): finished in ${f.flood.runToFinishedMs} ms; frame round trip median ${f.flood.frameProbeMedianMs} ms, max ${f.flood.frameProbeMaxMs} ms; longest task ${f.flood.longestTaskMs} ms`);
  if (f.echo) console.log(`keystroke → echo in the terminal during a run: median ${f.echo.medianMs} ms, max ${f.echo.maxMs} ms (n=${f.echo.samples.length})`);
});

describe('Sandpit IDE in a real browser', () => {
  test('a guest lands on a working editor in one click', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    const errors = [];
    watchErrors(page, errors);
    await page.goto(base);
    await page.getByTestId('guest').click();
    await waitForEditor(page);
    await page.getByTestId('connection').and(page.locator('[data-status="open"]')).first().waitFor();
    assert.match(await page.evaluate(() => location.hash), /^#\/s\//);
    assert.match(await page.evaluate(() => window.__sandpitEditor.getModel().getValue()), /Hello, World!/);
    await shot(page, '01-guest-landing');
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('time to an editable editor, cold and warm cache', async () => {
    const { token, session } = await apiGuestSession();
    const url = `${base}/#/s/${session.id}`;
    const cold = [];
    const warm = [];
    let detail;
    for (let i = 0; i < 3; i++) {
      const ctx = await signedInContext(token); // a new context: an empty cache
      const page = await ctx.newPage();
      const c = await timeToEditor(page, url);
      cold.push(c.editorReadyMs);
      detail ??= c;
      for (let j = 0; j < 2; j++) {
        const p2 = await ctx.newPage(); // same context: scripts come from the cache
        warm.push((await timeToEditor(p2, url)).editorReadyMs);
        await p2.close();
      }
      await ctx.close();
    }
    figures.load = { coldMs: cold, warmMs: warm, coldMedianMs: median(cold), warmMedianMs: median(warm), coldDetail: detail };
    assert.ok(median(cold) < 15_000, `cold load took ${median(cold)} ms`);
  });

  test('python: run the interactive template and answer both prompts in the terminal', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await page.goto(base);
    await page.getByTestId('guest').click();
    await waitForEditor(page);
    await createFromTemplate(page, 'python-interactive');
    assert.match(await page.evaluate(() => window.__sandpitEditor.getModel().getValue()), /How old are you/);

    await page.getByTestId('run').click();
    await waitForTerminal(page, 'What is your name? ');
    await page.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor();
    await shot(page, '02-python-waiting-for-input');

    // keystroke → echo latency, measured in the page on the performance timeline
    await page.evaluate(() => {
      const term = window.__sandpitTerm;
      window.__echo = [];
      document.addEventListener(
        'keydown',
        (e) => {
          if (e.key.length !== 1) return;
          const start = performance.now();
          const want = e.key;
          const sub = term.onRender(() => {
            const b = term.buffer.active;
            const row = b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '';
            if (!row.endsWith(want)) return;
            sub.dispose();
            const m = performance.measure('sandpit:keystroke-echo', { start, end: performance.now() });
            window.__echo.push(m.duration);
          });
        },
        true,
      );
    });
    await page.getByTestId('terminal').click();
    await page.keyboard.type('Ada', { delay: 60 });
    await page.keyboard.press('Enter');
    await waitForTerminal(page, 'How old are you? ');
    await page.keyboard.type('36', { delay: 60 });
    await page.keyboard.press('Enter');
    const text = await waitForTerminal(page, 'Hello, Ada! Next year you will be 37.');
    const status = await waitFinished(page);
    assert.match(status, /finished · exit 0/);
    assert.match(text, /What is your name\? Ada\nHow old are you\? 36\nHello, Ada! Next year you will be 37\./);
    const samples = await page.evaluate(() => window.__echo);
    assert.ok(samples.length >= 4, `echo samples: ${samples.length}`);
    figures.echo = {
      samples: samples.map((x) => Math.round(x * 10) / 10),
      medianMs: Math.round(median(samples) * 10) / 10,
      maxMs: Math.round(Math.max(...samples) * 10) / 10,
    };
    await shot(page, '03-python-finished');
    // the IDE for the README
    await page.screenshot({ path: join(ROOT, 'docs', 'ide.png') });

    // the history has it, with the stdin typed
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('button', { name: 'Replay' }).first().click();
    await waitForTerminal(page, 'Replay of the run');
    const replay = await waitForTerminal(page, 'Hello, Ada!');
    assert.match(replay, /Ada/);
    await shot(page, '04-history-replay');
    await ctx.close();
  });

  test('c++: a compile error becomes a marker at its line; fixing it makes the run work', async () => {
    const { token, session } = await apiGuestSession('cpp-hello');
    const ctx = await signedInContext(token);
    const page = await ctx.newPage();
    await page.goto(`${base}/#/s/${session.id}`);
    await waitForEditor(page);
    await setCode(page, '#include <iostream>\n\nint main() {\n    int x = 41;\n    std::cout << y + 1 << std::endl;\n    return 0;\n}\n');
    await page.getByTestId('run').click();
    const status = await waitFinished(page, 90_000);
    assert.match(status, /compile error/);
    const markers = await page.evaluate(() =>
      window.__sandpitMonaco.editor.getModelMarkers({ owner: 'compiler' }).map((m) => ({ line: m.startLineNumber, col: m.startColumn, sev: m.severity, msg: m.message })),
    );
    const err = markers.find((m) => m.sev === 8);
    assert.ok(err, `no error marker: ${JSON.stringify(markers)}`);
    assert.equal(err.line, 5);
    assert.match(err.msg, /.y. was not declared/);
    await page.locator('.squiggly-error').first().waitFor();
    await page.getByRole('tab', { name: /Problems/ }).click();
    await shot(page, '05-cpp-compile-error');

    // jump from the problems list, fix with the keyboard, run with Ctrl+Enter
    await page.locator('.problem').first().click();
    const pos = await page.evaluate(() => window.__sandpitEditor.getPosition());
    assert.equal(pos.lineNumber, 5);
    await page.keyboard.press('Delete');
    await page.keyboard.type('x');
    assert.match(await page.evaluate(() => window.__sandpitEditor.getModel().getLineContent(5)), /std::cout << x \+ 1/);
    await page.keyboard.press('Control+Enter');
    await waitForTerminal(page, /\n42\n/, 90_000);
    assert.match(await waitFinished(page, 90_000), /finished · exit 0/);
    const left = await page.evaluate(() => window.__sandpitMonaco.editor.getModelMarkers({ owner: 'compiler' }).length);
    assert.equal(left, 0);
    await shot(page, '06-cpp-fixed');
    await ctx.close();
  });

  test('Ctrl+D ends the input and Stop stops a run', async () => {
    const { token, session } = await apiGuestSession();
    const ctx = await signedInContext(token);
    const page = await ctx.newPage();
    await page.goto(`${base}/#/s/${session.id}`);
    await waitForEditor(page);
    await setCode(page, 'import sys\ndata = sys.stdin.read()\nprint(f"got {len(data.split())} words", file=sys.stderr)\n');
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor();
    await page.getByTestId('terminal').click();
    await page.keyboard.type('one two');
    await page.keyboard.press('Enter');
    await page.keyboard.type('three');
    await page.keyboard.press('Control+D'); // sends "three" without a newline
    await page.keyboard.press('Control+D'); // end of input
    await waitForTerminal(page, 'got 3 words');
    assert.match(await waitFinished(page), /finished · exit 0/);

    await setCode(page, 'import time\nprint("looping", flush=True)\nwhile True:\n    time.sleep(0.1)\n');
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'looping');
    await page.getByTestId('stop').click();
    assert.match(await waitFinished(page), /stopped/);
    await ctx.close();
  });

  test('reloading the page mid-run picks the run up again, and a dropped socket re-attaches', async () => {
    const { token, session } = await apiGuestSession();
    const ctx = await signedInContext(token);
    const page = await ctx.newPage();
    await page.goto(`${base}/#/s/${session.id}`);
    await waitForEditor(page);
    await setCode(page, TICKS);
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'tick 3');
    await page.reload();
    await waitForEditor(page);
    await waitForTerminal(page, 'Your run, resumed'); // this tab's own run, not "another tab"
    await waitForTerminal(page, 'tick 8');
    await shot(page, '07-after-reload');
    // the network drops: the client reconnects with backoff and attaches after the last seq
    await page.evaluate(() => window.__sandpit.client.simulateDrop());
    await page.locator('[data-testid="connection"][data-status="open"]').first().waitFor();
    const text = await waitForTerminal(page, 'done', 60_000);
    assert.match(await waitFinished(page), /finished · exit 0/);
    for (let i = 1; i <= 20; i++) assert.equal(count(text, `tick ${i}\n`), 1, `tick ${i} seen ${count(text, `tick ${i}\n`)} times:\n${text}`);
    await ctx.close();
  });

  test('two tabs on one session see the same run', async () => {
    const { token, session } = await apiGuestSession();
    const ctx = await signedInContext(token);
    const a = await ctx.newPage();
    const b = await ctx.newPage();
    await a.goto(`${base}/#/s/${session.id}`);
    await b.goto(`${base}/#/s/${session.id}`);
    await waitForEditor(a);
    await waitForEditor(b);
    await b.locator('[data-testid="connection"][data-status="open"]').first().waitFor();
    await setCode(a, TICKS);
    await a.getByTestId('run').click();
    const ta = await waitForTerminal(a, 'done', 60_000);
    const tb = await waitForTerminal(b, 'done', 60_000);
    await b.bringToFront();
    await shot(b, '08-second-tab');
    for (let i = 1; i <= 20; i++) {
      assert.equal(count(ta, `tick ${i}\n`), 1, `tab A tick ${i}`);
      assert.equal(count(tb, `tick ${i}\n`), 1, `tab B tick ${i}`);
    }
    assert.match(tb, /Following a run started by you \(another tab\)/);
    // the other tab also got the saved code
    await b.waitForFunction(() => window.__sandpitEditor.getModel().getValue().includes('tick'));
    await ctx.close();
  });

  test('sharing: a join link lets another user into the session', async () => {
    const { token, session } = await apiGuestSession();
    const ctx = await signedInContext(token);
    const page = await ctx.newPage();
    await page.goto(`${base}/#/s/${session.id}`);
    await waitForEditor(page);
    await page.getByRole('button', { name: 'Share' }).click();
    await page.getByRole('button', { name: 'Create link' }).click();
    const link = await page.getByTestId('join-link').inputValue();
    assert.match(link, /#\/join\//);
    await shot(page, '09-share');
    const other = await newContext();
    const p2 = await other.newPage();
    await p2.goto(link);
    await p2.getByTestId('guest').click();
    await waitForEditor(p2);
    assert.equal(await p2.evaluate(() => location.hash), `#/s/${session.id}`);
    await other.close();
    await ctx.close();
  });

  test('a flood of output stays responsive and shows the output cap', async () => {
    const { token, session } = await apiGuestSession();
    const ctx = await signedInContext(token);
    const page = await ctx.newPage();
    await page.goto(`${base}/#/s/${session.id}`);
    await waitForEditor(page);
    // ~1.9 MB of output: over the default 1 MiB cap
    await setCode(page, 'import sys\nfor i in range(200000):\n    sys.stdout.write(f"line {i:07d} of the flood\\n")\n');
    await page.evaluate(() => {
      window.__long = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: 'longtask' });
    });
    const t0 = Date.now();
    await page.getByTestId('run').click();
    // while it streams, the page keeps answering: time a round trip into the page's event loop
    const probes = [];
    while (!(await page.locator('[data-testid="run-status"][data-phase="finished"]').count())) {
      const p0 = Date.now();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
      probes.push(Date.now() - p0);
      if (Date.now() - t0 > 90_000) throw new Error('the flood did not finish');
    }
    const status = await waitFinished(page);
    assert.match(status, /output limit/);
    const text = await waitForTerminal(page, 'output truncated');
    const ended = Date.now() - t0;
    const long = await page.evaluate(() => window.__long);
    figures.flood = {
      runToFinishedMs: ended,
      frameProbeMedianMs: median(probes),
      frameProbeMaxMs: Math.max(...probes),
      longTasks: long.length,
      longestTaskMs: Math.round(Math.max(0, ...long)),
    };
    assert.ok(/line 0000000 of the flood/.test(text) || text.length > 0);
    await shot(page, '10-output-flood');
    await ctx.close();
  });

  test('narrow window and light theme still work', async () => {
    const { token, session } = await apiGuestSession();
    const ctx = await signedInContext(token, { viewport: { width: 420, height: 820 }, colorScheme: 'light' });
    const page = await ctx.newPage();
    await page.goto(`${base}/#/s/${session.id}`);
    await waitForEditor(page);
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'Hello, World!');
    await waitFinished(page);
    await shot(page, '11-narrow-light');
    await ctx.close();
  });
});
