/**
 * Everything between the run store and the xterm.js widget: output is queued and fed to the
 * terminal once per animation frame ({@link FrameBatcher}), keys typed go through local line
 * editing ({@link LineEditor}) to the run's stdin. The widget itself (created by the Terminal
 * component) attaches and detaches; output written while none is attached is kept for it.
 */
import { FrameBatcher, frameScheduler, type Scheduler } from './frameBatcher';
import { LineEditor } from './lineEditor';

/** The part of an xterm.js Terminal used here. */
export interface RawTerminal {
  write(data: string, done?: () => void): void;
  reset(): void;
}

/** Where typed input goes: the run being shown, while it may receive input. */
export interface InputTarget {
  acceptsInput(): boolean;
  send(data: string): void;
  eof(): void;
  interrupt(): void;
}

/** What the run store writes to. */
export interface TerminalSink {
  /** Program output (stderr shown red) or, in a replay, the stdin that was typed (green). */
  out(data: string, stream: 'stdout' | 'stderr' | 'stdin' | 'compile'): void;
  /**
   * Input someone gave the run that this terminal did not echo itself (another person's, or this
   * user's from before a reload): green like the echo, with a dim mark of who typed it.
   */
  typed(data: string, who: string | null): void;
  /** A line of Sandpit's own (dim), on a line of its own. */
  info(text: string, tone?: 'dim' | 'ok' | 'warn' | 'error'): void;
  clear(): void;
}

const TONE: Record<string, string> = { dim: '\x1b[2m', ok: '\x1b[32m', warn: '\x1b[33m', error: '\x1b[31m' };
const RESET = '\x1b[0m';
const BACKLOG_MAX = 4 * 1024 * 1024;

export class TerminalSession implements TerminalSink {
  private term: RawTerminal | null = null;
  private backlog: string[] = [];
  private backlogChars = 0;
  private readonly batcher: FrameBatcher;
  readonly editor: LineEditor;
  /** True when the last character written ended a line (so info lines start on their own). */
  private atLineStart = true;
  private target: InputTarget | null = null;
  /** Lines finished by one onData (a paste), sent as one message: the gateway limits messages per second. */
  private outgoing = '';

  constructor(schedule: Scheduler = frameScheduler) {
    this.batcher = new FrameBatcher((data, done) => this.writeRaw(data, done), schedule);
    this.editor = new LineEditor({
      echo: (text) => this.echo(text),
      send: (data) => (this.outgoing += data),
      eof: () => (this.flushInput(), this.target?.eof()),
      interrupt: () => (this.flushInput(), this.target?.interrupt()),
    });
  }

  setInputTarget(t: InputTarget | null): void {
    this.target = t;
  }

  attach(term: RawTerminal): void {
    this.term = term;
    const pending = this.backlog.join('');
    this.backlog = [];
    this.backlogChars = 0;
    if (pending) term.write(pending);
  }

  detach(term: RawTerminal): void {
    if (this.term === term) this.term = null;
  }

  /** Keys from the widget (xterm.js onData). */
  keys(data: string): void {
    const t = this.target;
    if (!t || !t.acceptsInput()) return;
    this.editor.handle(data);
    this.flushInput();
  }

  private flushInput(): void {
    const data = this.outgoing;
    this.outgoing = '';
    if (data) this.target?.send(data);
  }

  out(data: string, stream: 'stdout' | 'stderr' | 'stdin' | 'compile'): void {
    if (!data) return;
    let text = data;
    if (stream === 'stderr') text = `\x1b[31m${data}\x1b[39m`;
    else if (stream === 'stdin') text = `\x1b[32m${data}\x1b[39m`;
    this.atLineStart = data.endsWith('\n');
    this.batcher.push(this.editor.wrapOutput(text));
  }

  typed(data: string, who: string | null): void {
    if (!data) return;
    const nl = data.endsWith('\n');
    let text = `\x1b[32m${nl ? data.slice(0, -1) : data}\x1b[39m`;
    if (who) text += ` \x1b[2m‹${who}›\x1b[22m`;
    if (nl) text += '\n';
    this.atLineStart = nl;
    this.batcher.push(this.editor.wrapOutput(text));
  }

  info(text: string, tone: 'dim' | 'ok' | 'warn' | 'error' = 'dim'): void {
    const lead = this.atLineStart ? '' : '\n';
    this.atLineStart = true;
    this.batcher.push(this.editor.wrapOutput(`${lead}${TONE[tone]}${text}${RESET}\n`));
  }

  clear(): void {
    this.batcher.clear();
    this.editor.reset();
    this.backlog = [];
    this.backlogChars = 0;
    this.atLineStart = true;
    this.term?.reset();
  }

  /** Echo of typed keys: straight to the terminal unless output is still queued ahead of it. */
  private echo(text: string): void {
    if (text.includes('\n')) this.atLineStart = true;
    else if (text) this.atLineStart = false;
    if (this.batcher.pending === 0 && this.term) this.term.write(text);
    else this.batcher.push(text);
  }

  private writeRaw(data: string, done: () => void): void {
    if (this.term) {
      this.term.write(data, done);
      return;
    }
    this.backlog.push(data);
    this.backlogChars += data.length;
    while (this.backlogChars > BACKLOG_MAX && this.backlog.length > 1) this.backlogChars -= this.backlog.shift()!.length;
    done();
  }
}
