/**
 * Local line editing for a program's stdin in the terminal (programs see pipes, not a TTY, so
 * nothing echoes on the far side): typed characters are echoed and kept until Enter, which sends
 * the line with "\n". Backspace and Ctrl+U edit, Ctrl+D sends the pending text or closes stdin
 * (EOF) on an empty line, Ctrl+C interrupts. Input is fed as xterm.js's onData gives it: one key,
 * or a whole paste at once.
 */
export interface LineEditorIO {
  /** Show text on the terminal. */
  echo(text: string): void;
  /** Write to the program's stdin. */
  send(data: string): void;
  eof(): void;
  interrupt(): void;
}

const ESC = '\x1b';

export class LineEditor {
  private chars: string[] = [];
  /** The last key was a CR: a LF right after it (a CRLF split across two chunks) is not a second Enter. */
  private afterCR = false;

  constructor(private readonly io: LineEditorIO) {}

  /** The text typed since the last Enter. */
  get pending(): string {
    return this.chars.join('');
  }

  /** Display width of the pending text (one column per code point; good enough for a prompt line). */
  get width(): number {
    return this.chars.length;
  }

  reset(): void {
    this.chars = [];
    this.afterCR = false;
  }

  handle(data: string): void {
    const cps = Array.from(data);
    let echo = '';
    const flushEcho = () => {
      if (echo) this.io.echo(echo);
      echo = '';
    };
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      const afterCR = this.afterCR;
      this.afterCR = c === '\r';
      if (c === '\n' && afterCR) continue; // CRLF is one Enter, even split across chunks
      if (c === '\r' || c === '\n') {
        echo += '\r\n';
        flushEcho();
        const line = this.pending + '\n';
        this.chars = [];
        this.io.send(line);
      } else if (c === '\x7f' || c === '\b') {
        if (this.chars.length) {
          this.chars.pop();
          echo += '\b \b';
        }
      } else if (c === '\x15') {
        // Ctrl+U: erase the line
        echo += '\b \b'.repeat(this.chars.length);
        this.chars = [];
      } else if (c === '\x04') {
        flushEcho();
        if (this.chars.length) {
          const text = this.pending;
          this.chars = [];
          this.io.send(text);
        } else {
          this.io.eof();
        }
      } else if (c === '\x03') {
        echo += '^C';
        flushEcho();
        this.chars = [];
        this.io.interrupt();
      } else if (c === ESC) {
        // skip an escape sequence (arrows, function keys): CSI … final byte, or SS3 + one char
        const next = cps[i + 1];
        if (next === '[') {
          i += 2;
          while (i < cps.length && !/[@-~]/.test(cps[i])) i++;
        } else if (next === 'O') {
          i += 2;
        } else {
          i += 1;
        }
      } else if (c === '\t' || c >= ' ') {
        this.chars.push(c);
        echo += c;
      }
    }
    flushEcho();
  }

  /**
   * Wrap output that arrives while a line is half typed: the typed text is taken off the screen,
   * the output written, and the typed text shown again after it (as readline does).
   */
  wrapOutput(data: string): string {
    if (!this.chars.length) return data;
    const n = this.chars.length;
    return `\x1b[${n}D\x1b[K${data}${this.pending}`;
  }
}
