/**
 * End-to-end: the defects a new user hit in the IDE (issue 11), each pinned in headless Debian
 * Chromium against the real stack (one stack for the file). Every test here failed before its fix.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FRONTEND, buildFrontend, startStack } from './stack.mjs';

const RESULTS = join(FRONTEND, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let stack;
let browser;
let base;

// ---- helpers (as in ide.e2e.mjs) ----

async function newContext(opts = {}) {
  return browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark', ...opts });
}

async function rest(token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** A guest token and a session made through the REST API (for pages that start signed in). */
async function apiGuestSession(template = 'python-hello') {
  const g = await (await fetch(`${base}/api/auth/guest`, { method: 'POST' })).json();
  const s = (await rest(g.token, 'POST', '/api/sessions', { template })).json;
  return { token: g.token, user: g.user, session: s };
}

async function signedInContext(token, opts) {
  const ctx = await newContext(opts);
  await ctx.addInitScript((t) => {
    if (!localStorage.getItem('sandpit.token')) localStorage.setItem('sandpit.token', t);
  }, token);
  return ctx;
}

/** A signed-in page on the session, editor loaded. */
async function openSession(token, sessionId) {
  const ctx = await signedInContext(token);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/#/s/${sessionId}`);
  await waitForEditor(page);
  await page.locator('[data-testid="connection"][data-status="open"]').first().waitFor();
  return { ctx, page, errors };
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

/** Every phase the status line shows, in order, recorded in the page from now on. */
async function recordPhases(page) {
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid="run-status"]');
    window.__phases = [el.dataset.phase];
    window.__phaseText = [el.innerText];
    new MutationObserver(() => {
      const p = el.dataset.phase;
      if (window.__phases.at(-1) !== p) window.__phases.push(p);
      if (window.__phaseText.at(-1) !== el.innerText) window.__phaseText.push(el.innerText);
    }).observe(el, { attributes: true, childList: true, subtree: true, characterData: true });
  });
}

function shortcutsOpen(page) {
  return page.evaluate(() => !!document.querySelector('dialog[aria-label="Keyboard shortcuts"]')?.open);
}

function toastText(page) {
  return page.locator('.toasts').innerText();
}

async function waitForToast(page, re, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await toastText(page);
    if (re.test(text)) return text;
    await page.waitForTimeout(50);
  }
  throw new Error(`no toast matching ${re}; toasts:\n${text}`);
}

async function newFileDialog(page) {
  await page.getByRole('button', { name: 'New file', exact: true }).click();
  const input = page.locator('dialog.dialog[open] input');
  await input.waitFor();
  return input;
}

async function shot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `defects-${name}.png`) });
}

function count(text, s) {
  return text.split(s).length - 1;
}

// ---- the suite ----

before(async () => {
  buildFrontend();
  stack = await startStack({ log: (l) => process.env.E2E_VERBOSE && console.error(l) });
  base = stack.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stack?.stop();
});

describe('issue 11: defects a new user hit', () => {
  test('? is typed, not a shortcut, in the editor, the terminal and a text field; elsewhere it opens the shortcuts', async () => {
    const { token, session } = await apiGuestSession();
    const { ctx, page, errors } = await openSession(token, session.id);
    const TEXT = 'x = "Name? ok"';

    // the editor (Monaco types into an EditContext div in Chromium, not a textarea)
    await setCode(page, '\n');
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('x = "Name? ok', { delay: 20 }); // the closing quote is Monaco's auto-close
    assert.equal(await page.evaluate(() => window.__sandpitEditor.getModel().getLineContent(1)), TEXT);
    assert.equal(await shortcutsOpen(page), false, 'the shortcuts dialog opened while typing in the editor');

    // the terminal, while input() waits
    await setCode(page, 's = input("> ")\nprint(repr(s))\n');
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor();
    await page.getByTestId('terminal').click();
    await page.keyboard.type('Name? ok', { delay: 20 });
    await page.keyboard.press('Enter');
    await waitForTerminal(page, "'Name? ok'");
    await waitFinished(page);
    assert.equal(await shortcutsOpen(page), false, 'the shortcuts dialog opened while typing in the terminal');

    // a text field (the new file's name)
    const input = await newFileDialog(page);
    await page.keyboard.type('Name? ok', { delay: 20 });
    assert.equal(await input.inputValue(), 'Name? ok');
    assert.equal(await shortcutsOpen(page), false, 'the shortcuts dialog opened while typing a file name');
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'detached' });

    // outside any text: ? is the shortcut
    await page.locator('.statusline').click({ position: { x: 600, y: 5 } });
    await page.keyboard.press('?');
    await page.waitForFunction(() => !!document.querySelector('dialog[aria-label="Keyboard shortcuts"]')?.open);
    await shot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('the status line shows the real phase: running while a program sleeps, waiting for input, compiling then running, finished', async () => {
    const { token, session } = await apiGuestSession();
    const { ctx, page } = await openSession(token, session.id);
    await recordPhases(page);

    // a program that sleeps before any output is running, not queued
    await setCode(page, 'import time\ntime.sleep(6)\nprint("woke up")\n');
    const t0 = Date.now();
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="running"]').waitFor({ timeout: 4000 });
    assert.ok(Date.now() - t0 < 4000);
    assert.match(await page.getByTestId('run-status').innerText(), /Running/);
    assert.ok(!(await terminalText(page)).includes('woke up'), 'running was shown only once output came');
    assert.match(await waitFinished(page), /finished · exit 0/);
    const py = await page.evaluate(() => window.__phases);
    assert.deepEqual(py.slice(py.indexOf('running')), ['running', 'finished'], `phases: ${py}`);

    // waiting for input
    await setCode(page, 'name = input("Name? ")\nprint("hi", name)\n');
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor();
    assert.match(await page.getByTestId('run-status').innerText(), /Waiting for input/);
    await page.getByTestId('terminal').click();
    await page.keyboard.type('Ada');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, 'hi Ada');
    await waitFinished(page);

    await ctx.close();

    // C: compiling, then running (the program sleeps first), then finished
    const cs = await apiGuestSession('c-hello');
    const C = await openSession(cs.token, cs.session.id);
    await setCode(C.page, `#include <stdio.h>\n#include <unistd.h>\n/* ${Date.now()} */\nint main(void) {\n    sleep(3);\n    puts("up");\n    return 0;\n}\n`);
    await recordPhases(C.page);
    await C.page.getByTestId('run').click();
    await C.page.locator('[data-testid="run-status"][data-phase="running"]').waitFor({ timeout: 30_000 });
    assert.ok(!(await terminalText(C.page)).includes('\nup'), 'running was shown only once output came');
    assert.match(await waitFinished(C.page, 60_000), /finished · exit 0/);
    const c = await C.page.evaluate(() => window.__phases);
    const texts = await C.page.evaluate(() => window.__phaseText);
    assert.ok(c.indexOf('compiling') > 0 && c.indexOf('compiling') < c.indexOf('running'), `phases: ${c}`);
    assert.ok(texts.some((t) => /Compiling/.test(t)), `texts: ${texts}`);
    assert.equal(c.at(-1), 'finished');
    await C.ctx.close();
  });

  test('a file named ../escape.py is refused by name with invalid_field, and nothing is created', async () => {
    const { token, session } = await apiGuestSession();
    const { ctx, page } = await openSession(token, session.id);
    await newFileDialog(page);
    await page.keyboard.type('../escape.py');
    await page.keyboard.press('Enter');
    const text = await waitForToast(page, /escape\.py/);
    assert.match(text, /Could not create \.\.\/escape\.py: file name '\.\.\/escape\.py' has an empty, '\.' or '\.\.' component/);
    assert.doesNotMatch(text, /no such API route/);
    await shot(page, 'escape');
    // the server has no such file, and the route refuses it with the stable code
    const files = (await rest(token, 'GET', `/api/sessions/${session.id}/files`)).json.files.map((f) => f.path);
    assert.deepEqual(files, ['main.py']);
    const direct = await rest(token, 'PUT', `/api/sessions/${session.id}/files/${encodeURIComponent('../escape.py')}`, { content: 'x' });
    assert.equal(direct.status, 400);
    assert.equal(direct.json.code, 'invalid_field');
    // a file in a folder still works with the slash encoded
    await newFileDialog(page);
    await page.keyboard.type('pkg/util.py');
    await page.keyboard.press('Enter');
    await page.locator('.tree-item[data-path="pkg/util.py"]').waitFor();
    assert.ok((await rest(token, 'GET', `/api/sessions/${session.id}/files`)).json.files.some((f) => f.path === 'pkg/util.py'));
    await ctx.close();
  });

  test('a file over the size limit says the limit, stays marked unsaved, and does not block runs', async () => {
    const { token, session } = await apiGuestSession();
    const { ctx, page } = await openSession(token, session.id);
    await newFileDialog(page);
    await page.keyboard.type('big.txt');
    await page.keyboard.press('Enter');
    await page.locator('.tree-item[data-path="big.txt"]').waitFor();
    await page.waitForFunction(() => window.__sandpitEditor.getModel()?.uri.path === '/big.txt');
    // 5 MB of text, as if pasted
    await page.evaluate(() => window.__sandpitEditor.getModel().setValue('0123456789abcdef'.repeat(5 * 65536)));
    await page.keyboard.press('Control+s');
    const toast = await waitForToast(page, /Could not save big\.txt/);
    assert.match(toast, /larger than the [\d.]+ MiB limit \(a file may hold at most 1 MiB/);
    const row = page.locator('.tree-item[data-path="big.txt"]');
    await row.locator('[data-testid="save-error"]').waitFor();
    await row.locator('.dirty').waitFor();

    // the run goes ahead with what is saved, and says which file it could not take
    await page.locator('.tree-item[data-path="main.py"]').click();
    await page.getByTestId('run').click();
    const text = await waitForTerminal(page, 'Hello, World!');
    assert.match(await waitFinished(page), /finished · exit 0/);
    assert.match(text, /big\.txt: your edits could not be saved \(the request body is larger than the [\d.]+ MiB limit/);
    assert.doesNotMatch(await toastText(page), /Some files could not be saved/);
    await row.locator('[data-testid="save-error"]').waitFor();
    await shot(page, 'too-large');
    const big = (await rest(token, 'GET', `/api/sessions/${session.id}/files`)).json.files.find((f) => f.path === 'big.txt');
    assert.equal(big.size, 0);
    await ctx.close();
  });

  test('a failed C compile says "compilation failed" once, and Problems counts errors and warnings only', async () => {
    const { token, session } = await apiGuestSession('c-hello');
    const { ctx, page } = await openSession(token, session.id);
    // one error, and gcc's note about it ("each undeclared identifier is reported only once")
    await setCode(page, '#include <stdio.h>\n\nint main(void) {\n    return y;\n}\n');
    await page.getByTestId('run').click();
    assert.match(await waitFinished(page, 90_000), /compile error/);
    const text = await waitForTerminal(page, /compile error/);
    assert.equal(count(text, 'compilation failed'), 1, text);
    assert.match(text, /1 error, 0 warnings/);
    const diags = await page.evaluate(() => window.__sandpit.runs.getState().diagnostics.map((d) => d.severity));
    assert.ok(diags.includes('note'), `the compile has a note: ${diags}`);
    assert.equal(await page.locator('#tab-problems .badge').innerText(), '1');
    await ctx.close();
  });

  test('a reload shows the last run again, and your own running run is resumed as yours', async () => {
    const { token, session } = await apiGuestSession();
    let { ctx, page } = await openSession(token, session.id);
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'Hello, World!');
    await waitFinished(page);
    await page.reload();
    await waitForEditor(page);
    const text = await waitForTerminal(page, 'The last run');
    assert.match(text, /Hello, World!/);
    await page.locator('[data-testid="run-status"][data-phase="finished"]').waitFor();

    await setCode(page, 'import time\nprint("looping", flush=True)\nwhile True:\n    time.sleep(0.1)\n');
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'looping');
    await page.reload();
    await waitForEditor(page);
    const resumed = await waitForTerminal(page, 'Your run, resumed');
    assert.doesNotMatch(resumed, /another tab/);
    await waitForTerminal(page, 'looping');
    assert.doesNotMatch(await page.getByTestId('run-status').innerText(), /Following/);
    await page.getByTestId('stop').click();
    assert.match(await waitFinished(page), /stopped/);
    await ctx.close();
  });

  test('following a run started by another user names them', async () => {
    const a = await apiGuestSession();
    const share = (await rest(a.token, 'POST', `/api/sessions/${a.session.id}/shares`, { role: 'runner' })).json;
    const bUser = await (await fetch(`${base}/api/auth/guest`, { method: 'POST' })).json();
    assert.equal((await rest(bUser.token, 'POST', `/api/shares/${share.token}/join`)).status, 200);
    const A = await openSession(a.token, a.session.id);
    const B = await openSession(bUser.token, a.session.id);
    await setCode(A.page, 'import time\nfor i in range(4):\n    print("tick", i, flush=True)\n    time.sleep(0.3)\n');
    await A.page.getByTestId('run').click();
    const text = await waitForTerminal(B.page, 'tick 3');
    assert.match(text, new RegExp(`Following a run started by ${a.user.username}`));
    await waitFinished(B.page);
    await B.page.getByRole('tab', { name: 'History' }).click();
    await B.page.locator('#history-region .run-info', { hasText: `by ${a.user.username}` }).first().waitFor();
    await A.ctx.close();
    await B.ctx.close();
  });

  test('free-form compiler flags: -fsanitize=address reports a heap overflow; a flag not allowed is refused with the server’s reason', async () => {
    const { token, session } = await apiGuestSession('c-hello');
    const { ctx, page } = await openSession(token, session.id);
    await setCode(page, '#include <stdio.h>\n#include <stdlib.h>\n\nint main(void) {\n    volatile char *p = malloc(8);\n    printf("start ");\n    p[8] = 1;\n    free((void *) p);\n    return 0;\n}\n');
    await page.locator('details.flags > summary').click();
    await page.getByTestId('extra-flags').fill('-fsanitize=address');
    await page.locator('details.flags > summary').click();
    assert.match(await page.locator('details.flags > summary').innerText(), /-fsanitize=address/);
    await page.getByTestId('run').click();
    const text = await waitForTerminal(page, /AddressSanitizer: heap-buffer-overflow/, 90_000);
    assert.match(text, /-fsanitize=address/);
    assert.match(await waitFinished(page, 90_000), /runtime error/);

    // the flags are the session's settings: a flag the server does not allow is refused when they are
    // saved, with its reason, and the saved ones stay
    await page.locator('details.flags > summary').click();
    await page.getByTestId('extra-flags').fill('-fsanitize=address -fplugin=./evil.so');
    await page.locator('details.flags > summary').click();
    await waitForToast(page, /compiler flag '-fplugin=\.\/evil\.so' is not allowed/);
    const summary = await page.locator('details.flags > summary').innerText();
    assert.match(summary, /-fsanitize=address/);
    assert.doesNotMatch(summary, /evil/);
    await ctx.close();
  });

  test('EOF and Interrupt buttons do what Ctrl+D and Ctrl+C do', async () => {
    const { token, session } = await apiGuestSession();
    const { ctx, page } = await openSession(token, session.id);
    // EOF ends a cat-like read
    await setCode(page, 'import sys\ndata = sys.stdin.read()\nprint(f"got {len(data.split())} words")\n');
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor();
    await page.getByTestId('terminal').click();
    await page.keyboard.type('one two');
    await page.keyboard.press('Enter');
    await page.keyboard.type('three');
    await page.getByTestId('eof').click(); // sends "three" without a newline, as Ctrl+D does
    await page.getByTestId('eof').click(); // end of input
    await waitForTerminal(page, 'got 3 words');
    assert.match(await waitFinished(page), /finished · exit 0/);

    // Interrupt stops a program waiting in input()
    await setCode(page, 'name = input("Name? ")\nprint(name)\n');
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor();
    await page.getByTestId('interrupt').click();
    assert.match(await waitFinished(page), /stopped/);
    assert.match(await terminalText(page), /\^C/);

    // and a loop
    await setCode(page, 'import time\nprint("looping", flush=True)\nwhile True:\n    time.sleep(0.1)\n');
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'looping');
    await page.getByTestId('interrupt').click();
    assert.match(await waitFinished(page), /stopped/);
    await ctx.close();
  });
});
