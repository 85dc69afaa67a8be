import { describe, expect, it } from 'vitest';
import { LineEditor } from '../src/lib/lineEditor';
import { rng } from './helpers';

function harness() {
  const io = { echoed: '', sent: [] as string[], eofs: 0, interrupts: 0 };
  const ed = new LineEditor({
    echo: (t) => (io.echoed += t),
    send: (d) => io.sent.push(d),
    eof: () => io.eofs++,
    interrupt: () => io.interrupts++,
  });
  return { ed, io };
}

describe('LineEditor', () => {
  it('echoes typed text and sends the line with a newline on Enter', () => {
    const { ed, io } = harness();
    for (const c of 'Ada') ed.handle(c);
    expect(io.echoed).toBe('Ada');
    expect(io.sent).toEqual([]);
    ed.handle('\r');
    expect(io.sent).toEqual(['Ada\n']);
    expect(io.echoed).toBe('Ada\r\n');
    expect(ed.pending).toBe('');
  });

  it('edits with backspace and Ctrl+U', () => {
    const { ed, io } = harness();
    ed.handle('Adx');
    ed.handle('\x7f');
    ed.handle('a\r');
    ed.handle('oops');
    ed.handle('\x15');
    ed.handle('36\r');
    expect(io.sent).toEqual(['Ada\n', '36\n']);
    expect(io.echoed).toContain('\b \b');
  });

  it('backspace on an empty line echoes nothing', () => {
    const { ed, io } = harness();
    ed.handle('\x7f\x7f');
    expect(io.echoed).toBe('');
  });

  it('Ctrl+D sends pending text without a newline, or EOF on an empty line', () => {
    const { ed, io } = harness();
    ed.handle('abc\x04');
    expect(io.sent).toEqual(['abc']);
    expect(io.eofs).toBe(0);
    ed.handle('\x04');
    expect(io.eofs).toBe(1);
  });

  it('Ctrl+C interrupts and drops the line', () => {
    const { ed, io } = harness();
    ed.handle('abc\x03');
    expect(io.interrupts).toBe(1);
    expect(ed.pending).toBe('');
    expect(io.sent).toEqual([]);
  });

  it('a paste with several lines sends each (CRLF counts once)', () => {
    const { ed, io } = harness();
    ed.handle('Ada\r\n36\nrest');
    expect(io.sent).toEqual(['Ada\n', '36\n']);
    expect(ed.pending).toBe('rest');
  });

  it('skips escape sequences (arrows, function keys)', () => {
    const { ed, io } = harness();
    ed.handle('a\x1b[A\x1b[1;5Cb\x1bOPc\r');
    expect(io.sent).toEqual(['abc\n']);
  });

  it('keeps astral characters whole', () => {
    const { ed, io } = harness();
    ed.handle('😀x\x7f\x7f\r');
    expect(io.sent).toEqual(['\n']);
    ed.handle('é😀\r');
    expect(io.sent[1]).toBe('é😀\n');
  });

  it('gives the same result however the input is split', () => {
    const input = 'Ada\x7fa\r36\r\nx\x1b[Dy\x15z\x04last\x1b[3~\r\x04';
    const whole = harness();
    whole.ed.handle(input);
    for (let seed = 1; seed <= 100; seed++) {
      const r = rng(seed);
      const h = harness();
      // xterm.js delivers one key's escape sequence in one onData: split between keys only
      const keys = input.match(/\x1b\[[0-?]*[ -/]*[@-~]|\x1bO.|[\s\S]/gu)!;
      let i = 0;
      while (i < keys.length) {
        const n = 1 + Math.floor(r() * 4);
        h.ed.handle(keys.slice(i, i + n).join(''));
        i += n;
      }
      expect(h.io.sent).toEqual(whole.io.sent);
      expect(h.io.eofs).toEqual(whole.io.eofs);
      expect(h.io.echoed).toEqual(whole.io.echoed);
    }
    expect(whole.io.sent).toEqual(['Ada\n', '36\n', 'z', 'last\n']);
    expect(whole.io.eofs).toBe(1);
  });

  it('output arriving mid-line is written before the typed text, which is shown again', () => {
    const { ed } = harness();
    expect(ed.wrapOutput('hello\n')).toBe('hello\n');
    ed.handle('Ad');
    expect(ed.wrapOutput('tick\n')).toBe('\x1b[2D\x1b[Ktick\nAd');
  });
});
