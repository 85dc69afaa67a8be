/**
 * End-to-end hardening checks in headless Chromium against the real stack: the IDE works under the
 * gateway's Content-Security-Policy without a single violation, and a program's terminal escapes
 * (clipboard, title, links, reports) do nothing to the page or to the program's own stdin.
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

async function setCode(page, code) {
  await page.evaluate((c) => window.__sandpitEditor.getModel().setValue(c), code);
}

async function waitFinished(page, timeout = 60_000) {
  await page.locator('[data-testid="run-status"][data-phase="finished"]').waitFor({ timeout });
  return page.getByTestId('run-status').innerText();
}

/** Every CSP violation the page reports, from its first script on, and CSP errors in the console. */
async function watchCsp(ctx, page, sink) {
  await ctx.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) sink.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => sink.push(`pageerror: ${e.message}`));
}

async function violations(page, sink) {
  const inPage = await page.evaluate(() => window.__csp ?? []);
  // workers report their own violations to the console, not to the page's document
  return [...inPage, ...sink];
}

before(async () => {
  buildFrontend();
  stack = await startStack();
  base = stack.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stack?.stop();
});

describe('hardening in a real browser', () => {
  test('the IDE works under its Content-Security-Policy with no violation', async () => {
    const res = await fetch(base);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html');

    const ctx = await newContext();
    const page = await ctx.newPage();
    const sink = [];
    await watchCsp(ctx, page, sink);
    await page.goto(base);
    await page.getByTestId('guest').click();
    await waitForEditor(page);
    await page.getByTestId('connection').and(page.locator('[data-status="open"]')).first().waitFor();
    // type in Monaco, open its suggestions (the editor worker, codicon font, widgets' styles)
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nvalue = 6 * 7\nprint(val');
    await page.keyboard.press('Control+Space');
    await page.locator('.monaco-editor .suggest-widget.visible').waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      () => performance.getEntriesByType('resource').some((r) => /editor\.worker-.*\.js$/.test(r.name)),
      null,
      { timeout: 15_000 },
    );
    await page.waitForFunction(() => document.fonts.check('16px codicon'), null, { timeout: 15_000 });
    await setCode(page, 'value = 6 * 7\nprint("answer", value)\n');
    await page.getByTestId('run').click();
    await waitForTerminal(page, 'answer 42');
    assert.match(await waitFinished(page), /exit 0/);
    assert.deepEqual(await violations(page, sink), []);
    await ctx.close();
  });

  test("a program's escapes write no clipboard, set no title, open nothing and answer nothing into its stdin", async () => {
    const ctx = await newContext();
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await ctx.addInitScript(() => {
      window.__clipboardWrites = [];
      const c = navigator.clipboard;
      if (c) {
        for (const f of ['writeText', 'write']) {
          const orig = c[f]?.bind(c);
          c[f] = (x) => (window.__clipboardWrites.push(f), orig(x));
        }
      }
      window.open = (...a) => ((window.__opened = (window.__opened ?? 0) + 1), null);
    });
    const page = await ctx.newPage();
    const popups = [];
    const dialogs = [];
    ctx.on('page', (p) => popups.push(p.url()));
    page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
    const sink = [];
    await watchCsp(ctx, page, sink);
    await page.goto(base);
    await page.getByTestId('guest').click();
    await waitForEditor(page);
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    const title = await page.title();

    const program = String.raw`import base64, sys
w = sys.stdout.write
w("\x1b]52;c;" + base64.b64encode(b"pwned-clipboard").decode() + "\x07")
w("\x1b]0;pwned-title-0\x07\x1b]2;pwned-title-2\x1b\\")
w("\x1b]8;;https://example.invalid/\x1b\\click-me\x1b]8;;\x1b\\\n")
w("\x1b[6n\x1b[5n\x1b[c\x1b[>c\x1b[18t\x1b[14t\x1bP$qm\x1b\\\x1b[?25$p\x1b]11;?\x07\x1b]10;?\x1b\\")
w("\x1b[?1000h\x1b[?1006h\x1b[?1004h\x1b[?2004h")
w("\x1b[31mRED\x1b[0m plain\n")
sys.stdout.flush()
s = input("> ")
print("GOT " + repr(s))
`;
    await setCode(page, program);
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="waiting_input"]').waitFor({ timeout: 30_000 });
    await waitForTerminal(page, '> ');

    // click on the linked text, as a user would (an OSC 8 link would ask to open it)
    const box = await page.evaluate(() => {
      const t = window.__sandpitTerm;
      const b = t.buffer.active;
      for (let y = 0; y < b.length; y++) {
        const x = b.getLine(y)?.translateToString(true).indexOf('click-me') ?? -1;
        if (x >= 0) {
          const r = t.element.querySelector('.xterm-screen').getBoundingClientRect();
          return { x: r.left + ((x + 3) * r.width) / t.cols, y: r.top + ((y - b.viewportY + 0.5) * r.height) / t.rows };
        }
      }
      return null;
    });
    assert.ok(box, 'the link text is shown');
    await page.mouse.move(box.x, box.y);
    await page.mouse.click(box.x, box.y);
    // focus leaves and comes back (focus reporting would answer \x1b[O / \x1b[I)
    await page.getByTestId('run-status').click();
    await page.getByTestId('terminal').click();
    await page.keyboard.type('hello');
    await page.keyboard.press('Enter');
    const text = await waitForTerminal(page, 'GOT ');
    assert.match(await waitFinished(page), /exit 0/);
    assert.match(text, /GOT 'hello'\n/, `the program read exactly what was typed:\n${text}`);

    assert.equal(await page.title(), title, 'the page title is unchanged');
    assert.deepEqual(await page.evaluate(() => window.__clipboardWrites), ['writeText'], 'only the test wrote the clipboard');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'before');
    assert.deepEqual(popups, [], 'no page was opened');
    assert.equal(await page.evaluate(() => window.__opened ?? 0), 0, 'window.open was not called');
    assert.deepEqual(dialogs, [], 'no dialog asked to open a link');
    const t = await page.evaluate(() => {
      const term = window.__sandpitTerm;
      const b = term.buffer.active;
      for (let y = 0; y < b.length; y++) {
        const line = b.getLine(y);
        const x = line?.translateToString(true).indexOf('RED') ?? -1;
        if (x >= 0) {
          const red = line.getCell(x);
          const plain = line.getCell(x + 4);
          return { redFg: red.getFgColor(), redPalette: !!red.isFgPalette(), plainDefault: !!plain.isFgDefault(), mouse: term.modes.mouseTrackingMode };
        }
      }
      return null;
    });
    assert.deepEqual(t, { redFg: 1, redPalette: true, plainDefault: true, mouse: 'none' }, 'colours render; mouse tracking stayed off');
    assert.deepEqual(await violations(page, sink), []);
    await ctx.close();
  });
});
