import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../src/lib/terminalSession';

function harness(accepts = true) {
  const frames: (() => void)[] = [];
  const t = new TerminalSession((cb) => frames.push(cb));
  let screen = '';
  let resets = 0;
  const raw = { write: (d: string, done?: () => void) => ((screen += d), done?.()), reset: () => resets++ };
  const sent: string[] = [];
  let eofs = 0;
  let stops = 0;
  t.setInputTarget({ acceptsInput: () => accepts, send: (d) => sent.push(d), eof: () => eofs++, interrupt: () => stops++ });
  const frame = () => frames.splice(0).forEach((f) => f());
  return { t, raw, frame, sent, get screen() { return screen; }, get resets() { return resets; }, get eofs() { return eofs; }, get stops() { return stops; } };
}

describe('TerminalSession', () => {
  it('keeps output written before the widget exists and shows it on attach', () => {
    const h = harness();
    h.t.out('early\n', 'stdout');
    h.frame();
    h.t.attach(h.raw);
    expect(h.screen).toBe('early\n');
  });

  it('colours stderr red and replayed stdin green', () => {
    const h = harness();
    h.t.attach(h.raw);
    h.t.out('bad\n', 'stderr');
    h.t.out('Ada\n', 'stdin');
    h.frame();
    expect(h.screen).toBe('\x1b[31mbad\n\x1b[39m\x1b[32mAda\n\x1b[39m');
  });

  it('types into the run: echo at once, line sent on Enter, Ctrl+D is EOF, Ctrl+C stops', () => {
    const h = harness();
    h.t.attach(h.raw);
    h.t.keys('A');
    expect(h.screen).toBe('A'); // no frame needed for an echo
    h.t.keys('da\r');
    expect(h.sent).toEqual(['Ada\n']);
    h.t.keys('\x04');
    expect(h.eofs).toBe(1);
    h.t.keys('\x03');
    expect(h.stops).toBe(1);
  });

  it('ignores keys when the run takes no input', () => {
    const h = harness(false);
    h.t.attach(h.raw);
    h.t.keys('abc\r');
    expect(h.screen).toBe('');
    expect(h.sent).toEqual([]);
  });

  it('an echo waits behind output still queued for the next frame', () => {
    const h = harness();
    h.t.attach(h.raw);
    h.t.out('What is your name? ', 'stdout');
    h.t.keys('A');
    h.frame();
    expect(h.screen).toBe('What is your name? A');
  });

  it('info lines start on a line of their own', () => {
    const h = harness();
    h.t.attach(h.raw);
    h.t.out('no newline', 'stdout');
    h.t.info('done');
    h.frame();
    expect(h.screen).toBe('no newline\n\x1b[2mdone\x1b[0m\n');
  });

  it('clear() resets the widget and forgets queued output and typed text', () => {
    const h = harness();
    h.t.attach(h.raw);
    h.t.keys('half');
    h.t.out('queued', 'stdout');
    h.t.clear();
    h.frame();
    expect(h.resets).toBe(1);
    expect(h.t.editor.pending).toBe('');
    expect(h.screen).toBe('half');
  });
});

describe('TerminalSession input', () => {
  it('sends a pasted block of lines as one message (the gateway limits messages per second), in order with EOF', () => {
    const h = harness();
    h.t.attach(h.raw);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
    h.t.keys(lines.join('\r') + '\r');
    expect(h.sent).toEqual([lines.map((l) => l + '\n').join('')]);
    h.t.keys('a\rb\x04');
    expect(h.sent.slice(1)).toEqual(['a\nb']);
    h.t.keys('c\r\x04');
    expect(h.sent.slice(2)).toEqual(['c\n']);
    expect(h.eofs).toBe(1);
  });
});
