// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { Terminal } from '@xterm/xterm';
import { applyTerminalPolicy, isAnswerback } from '../src/lib/terminalPolicy';

/** A real xterm.js terminal (not opened: the parser and its replies work without a renderer). */
function terminal(policy = true) {
  const term = new Terminal({ allowProposedApi: true, cols: 80, rows: 24 });
  if (policy) applyTerminalPolicy(term);
  const sent: string[] = [];
  const titles: string[] = [];
  term.onData((d) => sent.push(d));
  term.onBinary((d) => sent.push(d));
  term.onTitleChange((t) => titles.push(t));
  const write = (s: string) => new Promise<void>((r) => term.write(s, r));
  return { term, sent, titles, write };
}

const REPORTS: Record<string, string> = {
  'DSR status': '\x1b[5n',
  'DSR cursor position': '\x1b[6n',
  'DEC cursor position': '\x1b[?6n',
  'primary DA': '\x1b[c',
  'secondary DA': '\x1b[>c',
  'tertiary DA': '\x1b[=c',
  'window size in pixels': '\x1b[14t',
  'text area size': '\x1b[18t',
  'DECRQSS': '\x1bP$qm\x1b\\',
  'DECRQM': '\x1b[?25$p',
  'ANSI DECRQM': '\x1b[4$p',
  'XTGETTCAP': '\x1bP+q544e\x1b\\',
  'XTVERSION': '\x1b[>q',
  'DECID': '\x1bZ',
  'colour query': '\x1b]11;?\x07',
};

describe('terminal policy with the real xterm.js', () => {
  it('the reports a program can ask for are answered into stdin without the policy (what the policy is for)', async () => {
    const t = terminal(false);
    for (const s of ['\x1b[6n', '\x1b[c', '\x1bP$qm\x1b\\', '\x1b[?25$p']) await t.write(s);
    expect(t.sent).toEqual(['\x1b[1;1R', '\x1b[?1;2c', '\x1bP1$r0m\x1b\\', '\x1b[?25;1$y']);
    await t.write('\x1b]2;pwned\x07');
    expect(t.titles).toEqual(['pwned']);
  });

  for (const [name, seq] of Object.entries(REPORTS)) {
    it(`answers no ${name} (${JSON.stringify(seq)})`, async () => {
      const t = terminal();
      await t.write(`a${seq}b`);
      expect(t.sent).toEqual([]);
      expect(t.term.buffer.active.getLine(0)!.translateToString(true)).toBe('ab');
    });
  }

  it('changes no title (OSC 0, 1, 2)', async () => {
    const t = terminal();
    await t.write('\x1b]0;zero\x07\x1b]1;one\x07\x1b]2;two\x1b\\x');
    expect(t.titles).toEqual([]);
    expect(t.term.buffer.active.getLine(0)!.translateToString(true)).toBe('x');
  });

  it('keeps an OSC 8 link as plain text and registers no link', async () => {
    const t = terminal();
    await t.write('\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\');
    const line = t.term.buffer.active.getLine(0)!;
    expect(line.translateToString(true)).toBe('click me');
    // xterm.js marks a hyperlinked cell with an extended attribute holding the link's id
    const cell = line.getCell(0)!;
    expect((cell as unknown as { extended?: { urlId?: number } }).extended?.urlId ?? 0).toBe(0);
  });

  it('swallows OSC 52 clipboard writes before any other handler (e.g. a clipboard addon) sees them', async () => {
    const t = terminal(false);
    const seen: string[] = [];
    t.term.parser.registerOscHandler(52, (d) => (seen.push(d), true));
    applyTerminalPolicy(t.term);
    await t.write('\x1b]52;c;c2VjcmV0\x07ok');
    expect(seen).toEqual([]);
    expect(t.term.buffer.active.getLine(0)!.translateToString(true)).toBe('ok');
  });

  it('refuses mouse tracking, focus events and bracketed paste, keeps other modes', async () => {
    const t = terminal();
    await t.write('\x1b[?1000h\x1b[?1006h\x1b[?1004h\x1b[?2004h\x1b[?1h');
    const modes = t.term.modes;
    expect(modes.mouseTrackingMode).toBe('none');
    expect(modes.sendFocusMode).toBe(false);
    expect(modes.bracketedPasteMode).toBe(false);
    expect(modes.applicationCursorKeysMode).toBe(true);
  });

  it('keeps colours and cursor movement', async () => {
    const t = terminal();
    await t.write('\x1b[31mred\x1b[0m \x1b[38;2;1;2;3mrgb\x1b[0m\x1b[2;5Hat');
    const line = t.term.buffer.active.getLine(0)!;
    expect(line.getCell(0)!.isFgPalette()).toBeTruthy();
    expect(line.getCell(0)!.getFgColor()).toBe(1);
    expect(line.getCell(4)!.isFgRGB()).toBeTruthy();
    expect(line.getCell(4)!.getFgColor()).toBe((1 << 16) | (2 << 8) | 3);
    expect(t.term.buffer.active.getLine(1)!.translateToString(true)).toBe('    at');
  });

  it('disposing lifts the policy', async () => {
    const term = new Terminal({ allowProposedApi: true });
    const sent: string[] = [];
    term.onData((d) => sent.push(d));
    applyTerminalPolicy(term).dispose();
    await new Promise<void>((r) => term.write('\x1b[5n', r));
    expect(sent).toEqual(['\x1b[0n']);
  });
});

describe('isAnswerback', () => {
  it('recognises the terminal’s reports', () => {
    for (const r of ['\x1b[12;1R', '\x1b[?12;1R', '\x1b[0n', '\x1b[?1;2c', '\x1b[>0;276;0c', '\x1b[?25;1$y', '\x1b[8;24;80t',
      '\x1bP1$r0m\x1b\\', '\x1b]11;rgb:0f0f/1111/1515\x1b\\', '\x1b[<0;3;4M', '\x1b[M !!', '\x1b[I', '\x1b[O']) {
      expect(isAnswerback(r), JSON.stringify(r)).toBe(true);
    }
  });

  it('lets typed keys and pastes through', () => {
    for (const k of ['a', 'hello world', '\r', '\x7f', '\x03', '\x04', '\x15', '\x1b', '\x1b[A', '\x1b[1;5C', '\x1b[3~',
      '\x1bOP', '\x1b[15~', 'pasted\nlines\n', 'ünïcødé 🙂', '[6n', 'c']) {
      expect(isAnswerback(k), JSON.stringify(k)).toBe(false);
    }
  });
});
