/**
 * What a program's output may do to the IDE's terminal. Programs are untrusted, and whatever they
 * print reaches xterm.js as is, so the terminal is told to ignore every escape sequence that
 * reaches beyond drawing text:
 *
 * - allowed: text, colours and attributes (SGR), cursor movement, erasing, scrolling — drawing;
 * - clipboard (OSC 52): ignored, nothing a program prints writes the user's clipboard;
 * - hyperlinks (OSC 8): ignored, the link's text is shown as plain text and nothing opens (Sandpit's
 *   own file:line links, made by the IDE from the text, still work on click);
 * - titles (OSC 0/1/2): ignored, the page's title stays Sandpit's;
 * - palette and colour changes or queries (OSC 4/10/11/12/104/110/111/112): ignored;
 * - reports, the terminal answering into the program's stdin (DSR/CPR `CSI 5n`/`6n`/`?6n`, DA
 *   `CSI c`/`>c`/`=c`, window reports `CSI …t`, DECRQM `CSI …$p`, DECRQSS `DCS $q`, XTGETTCAP
 *   `DCS +q`, XTVERSION `CSI >q`, the kitty keyboard query `CSI ?u`, DECID `ESC Z`): ignored;
 * - modes that make the terminal send without a key being typed for the program (mouse tracking
 *   9/1000–1006/1015/1016, focus events 1004, bracketed paste 2004): ignored.
 *
 * As a second line, {@link isAnswerback} recognises what a report looks like, so that the input
 * path drops one should a sequence not listed here ever produce it.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';

/** OSC identifiers swallowed whole. */
export const BLOCKED_OSC = [0, 1, 2, 4, 8, 10, 11, 12, 52, 104, 110, 111, 112] as const;

/** DEC private modes a program may not set: they make the terminal send on its own. */
export const BLOCKED_MODES = new Set([9, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 1016, 2004]);

const swallow = () => true;

/** Apply the policy to a terminal; dispose the result with the terminal (or to lift the policy). */
export function applyTerminalPolicy(term: Pick<Terminal, 'parser'>): IDisposable {
  const p = term.parser;
  const subs: IDisposable[] = [];
  for (const id of BLOCKED_OSC) subs.push(p.registerOscHandler(id, swallow));
  // reports: DSR / CPR (5n, 6n, ?6n …), DA1/2/3, window reports, DECRQM, XTVERSION, kitty keyboard
  subs.push(p.registerCsiHandler({ final: 'n' }, swallow));
  subs.push(p.registerCsiHandler({ prefix: '?', final: 'n' }, swallow));
  subs.push(p.registerCsiHandler({ final: 'c' }, swallow));
  subs.push(p.registerCsiHandler({ prefix: '>', final: 'c' }, swallow));
  subs.push(p.registerCsiHandler({ prefix: '=', final: 'c' }, swallow));
  subs.push(p.registerCsiHandler({ final: 't' }, swallow));
  subs.push(p.registerCsiHandler({ intermediates: '$', final: 'p' }, swallow));
  subs.push(p.registerCsiHandler({ prefix: '?', intermediates: '$', final: 'p' }, swallow));
  subs.push(p.registerCsiHandler({ prefix: '>', final: 'q' }, swallow));
  subs.push(p.registerCsiHandler({ prefix: '?', final: 'u' }, swallow));
  subs.push(p.registerDcsHandler({ intermediates: '$', final: 'q' }, swallow));
  subs.push(p.registerDcsHandler({ intermediates: '+', final: 'q' }, swallow));
  subs.push(p.registerEscHandler({ final: 'Z' }, swallow));
  // DEC private modes: drop a set/reset naming any mode that would make the terminal talk
  const modes = (params: (number | number[])[]) => params.some((m) => BLOCKED_MODES.has(Array.isArray(m) ? m[0] : m));
  subs.push(p.registerCsiHandler({ prefix: '?', final: 'h' }, modes));
  subs.push(p.registerCsiHandler({ prefix: '?', final: 'l' }, modes));
  return { dispose: () => subs.splice(0).forEach((s) => s.dispose()) };
}

// What the terminal's own reports look like (xterm.js sends them through onData like keys):
// CSI reports (CPR …R, DA …c, DSR …n, DECRPM …$y, window reports …t, mouse <…M/m), X10 mouse,
// focus in/out, and DCS / OSC / APC strings. No key of a keyboard sends any of these (save
// Shift+F3's legacy `CSI 1;2R`, which the line editor ignores anyway).
const ANSWERBACK =
  /^(?:\x1b\[[?>=]?[\d;]*(?:R|c|n|\$y|t)|\x1b\[<[\d;]*[Mm]|\x1b\[M[\s\S]{3}|\x1b\[[IO]|\x1b[P\]_][\s\S]*)$/;

/** Whether data given by xterm.js's onData is one of the terminal's own reports, not typing. */
export function isAnswerback(data: string): boolean {
  return ANSWERBACK.test(data);
}
