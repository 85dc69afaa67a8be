/**
 * End-to-end, in headless Debian Chromium against one real stack for the file: what several
 * people on one session see (input typed by a collaborator, the session's C/C++ compiler), and the
 * API docs page served by the gateway itself.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { buildFrontend, startStack } from './stack.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let stack;
let browser;
let base;

// ---- helpers (as in ide.e2e.mjs) ----

async function newContext(opts = {}) {
  return browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark', ...opts });
}

async function api(method, path, token, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

async function apiGuest() {
  return (await api('POST', '/api/auth/guest')).json;
}

/** A guest token and a session made through the REST API. */
async function apiGuestSession(template = 'python-hello') {
  const g = await apiGuest();
  const s = await api('POST', '/api/sessions', g.token, { template });
  assert.equal(s.status, 201, JSON.stringify(s.json));
  return { token: g.token, user: g.user, session: s.json };
}

/** Another guest who joined the session with a share link of the given role. */
async function collaborator(session, ownerToken, role) {
  const share = await api('POST', `/api/sessions/${session.id}/shares`, ownerToken, { role });
  assert.equal(share.status, 201, JSON.stringify(share.json));
  const g = await apiGuest();
  const joined = await api('POST', `/api/shares/${share.json.token}/join`, g.token);
  assert.ok(joined.status < 300, JSON.stringify(joined.json));
  return g;
}

async function signedInContext(token, opts) {
  const ctx = await newContext(opts);
  await ctx.addInitScript((t) => {
    if (!localStorage.getItem('sandpit.token')) localStorage.setItem('sandpit.token', t);
  }, token);
  return ctx;
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

describe('the API docs page', () => {
  test('loads from the gateway alone under script-src self and lists a known operation', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    const local = new URL(base).origin;
    const foreign = [];
    await page.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.origin !== local && u.protocol !== 'data:') {
        foreign.push(u.href);
        return route.abort();
      }
      return route.continue();
    });
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${base}/api/docs`);
    assert.equal(res.status(), 200);
    const csp = res.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, csp);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, csp);
    // the operations of the document, rendered by Swagger UI's script (blocked if it were inline)
    await page.locator('.opblock-summary-path[data-path="/api/sessions/{id}/files"]').first().waitFor({ timeout: 30_000 });
    await page.locator('.opblock-summary-path[data-path="/v1/sessions/execute/binary"]').first().waitFor();
    assert.match(await page.locator('.info .title').first().innerText(), /Sandpit API/);
    const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length);
    assert.equal(inline, 0, 'no inline <script>');
    assert.deepEqual(foreign, [], 'no request left this machine');
    const violations = await page.evaluate(() => window.__cspViolations);
    assert.deepEqual(violations.filter((v) => v.startsWith('script-src')), [], `CSP violations: ${violations}`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});

describe('a run followed by two people', () => {
  test("each sees the other's input in the terminal, with who typed it, and their own once", async () => {
    const owner = await apiGuestSession('python-interactive');
    const bob = await collaborator(owner.session, owner.token, 'runner');
    const ctxA = await signedInContext(owner.token);
    const ctxB = await signedInContext(bob.token);
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await a.goto(`${base}/#/s/${owner.session.id}`);
    await b.goto(`${base}/#/s/${owner.session.id}`);
    await waitForEditor(a);
    await waitForEditor(b);
    await b.locator('[data-testid="connection"][data-status="open"]').first().waitFor();

    await a.getByTestId('run').click();
    await waitForTerminal(a, 'What is your name? ');
    // B follows the run (it started in the session B watches) and answers the first prompt
    await waitForTerminal(b, 'What is your name? ');
    await b.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor();
    await b.getByTestId('terminal').click();
    await b.keyboard.type('Bob', { delay: 30 });
    await b.keyboard.press('Enter');
    const ta = await waitForTerminal(a, /What is your name\? Bob ‹[^›]+›\n/);
    assert.match(ta, new RegExp(`What is your name\\? Bob ‹${bob.user.username}›`));
    // A answers the second
    await waitForTerminal(a, 'How old are you? ');
    await a.getByTestId('terminal').click();
    await a.keyboard.type('36', { delay: 30 });
    await a.keyboard.press('Enter');
    const doneA = await waitForTerminal(a, 'Hello, Bob! Next year you will be 37.');
    const doneB = await waitForTerminal(b, 'Hello, Bob! Next year you will be 37.');
    assert.match(await waitFinished(a), /finished · exit 0/);
    assert.match(doneB, new RegExp(`How old are you\\? 36 ‹${owner.user.username}›\\n`));
    // the typer's own input is shown once (the local echo), unmarked
    assert.match(doneA, /How old are you\? 36\n/);
    assert.match(doneB, /What is your name\? Bob\n/);
    assert.equal(count(doneA, 'Bob'), 2, doneA); // the answer and the greeting
    assert.equal(count(doneB, '36'), 1, doneB);
    await ctxA.close();
    await ctxB.close();
  });

  test('after a reload mid-run the page shows the input given so far, its own too', async () => {
    const owner = await apiGuestSession('python-interactive');
    const ctx = await signedInContext(owner.token);
    const page = await ctx.newPage();
    await page.goto(`${base}/#/s/${owner.session.id}`);
    await waitForEditor(page);
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'What is your name? ');
    await page.getByTestId('terminal').click();
    await page.keyboard.type('Ada', { delay: 30 });
    await page.keyboard.press('Enter');
    await waitForTerminal(page, 'How old are you? ');
    await page.reload();
    await waitForEditor(page);
    const t = await waitForTerminal(page, 'How old are you? ');
    assert.match(t, /What is your name\? Ada\n/);
    await page.getByTestId('terminal').click();
    await page.keyboard.type('36', { delay: 30 });
    await page.keyboard.press('Enter');
    await waitForTerminal(page, 'Hello, Ada! Next year you will be 37.');
    await ctx.close();
  });
});

describe("the session's compiler", () => {
  test('clang++ chosen in one browser is what a collaborator and a fresh profile see, and what runs use', async () => {
    const owner = await apiGuestSession('cpp-hello');
    const id = owner.session.id;
    const program = '#include <cstdio>\nint main() {\n#ifdef __clang__\n  std::puts("compiled by clang");\n#else\n  std::puts("compiled by gcc");\n#endif\n}\n';
    const w = await api('PUT', `/api/sessions/${id}/files/main.cpp`, owner.token, { content: program });
    assert.ok(w.status < 300, JSON.stringify(w.json));
    const bob = await collaborator(owner.session, owner.token, 'editor');
    const ctxA = await signedInContext(owner.token);
    const ctxB = await signedInContext(bob.token);
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await a.goto(`${base}/#/s/${id}`);
    await b.goto(`${base}/#/s/${id}`);
    await waitForEditor(a);
    await waitForEditor(b);
    await b.locator('[data-testid="connection"][data-status="open"]').first().waitFor();
    const label = (p) => p.locator('#language-picker option:checked').innerText();
    const compilerOf = (p) => p.getByTestId('compiler').innerText();
    assert.equal(await compilerOf(a), 'g++');
    assert.equal(await label(a), 'C++ (g++)');

    await a.locator('[data-testid="flags-picker"] summary').click();
    await a.getByTestId('compiler-select').selectOption('clang++');
    await a.waitForFunction(() => document.querySelector('[data-testid="compiler"]')?.textContent === 'clang++');
    assert.equal(await label(a), 'C++ (clang++)');
    // stored with the session: the settings API says so once the picker's PUT is answered (the
    // picker shows the choice at once and takes it back if the PUT fails)
    const stored = async () => (await api('GET', `/api/sessions/${id}/settings`, bob.token)).json.compiler;
    for (const deadline = Date.now() + 10_000; (await stored()) !== 'clang++' && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await stored(), 'clang++');

    // the collaborator's open page follows the change
    await b.waitForFunction(() => document.querySelector('[data-testid="compiler"]')?.textContent === 'clang++', null, { timeout: 15_000 });
    assert.equal(await label(b), 'C++ (clang++)');
    // a fresh profile (no localStorage of A's) shows it too
    const ctxC = await signedInContext(owner.token);
    const c = await ctxC.newPage();
    await c.goto(`${base}/#/s/${id}`);
    await waitForEditor(c);
    assert.equal(await compilerOf(c), 'clang++');
    assert.equal(await label(c), 'C++ (clang++)');
    assert.equal(await c.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('cflags')).length), 0);

    // a run by the collaborator is compiled by clang
    await b.getByTestId('run').click();
    const t = await waitForTerminal(b, /compiled by (clang|gcc)/, 60_000);
    assert.match(t, /compiled by clang/);
    assert.match(await waitFinished(b), /finished · exit 0/);
    for (const ctx of [ctxA, ctxB, ctxC]) await ctx.close();
  });
});
