import { useEffect, useRef } from 'react';
import { Terminal, type ILink, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { useStore } from 'zustand';
import { terminal as session, ui } from '../lib/services';
import type { Theme } from '../lib/uiStore';
import { applyTerminalPolicy, isAnswerback } from '../lib/terminalPolicy';

const THEMES: Record<Theme, ITheme> = {
  dark: {
    background: '#0f1115',
    foreground: '#d8dee9',
    cursor: '#e5c07b',
    selectionBackground: '#3b4252',
    red: '#ff6b6b',
    green: '#8fd18f',
    yellow: '#e5c07b',
    blue: '#6cb6ff',
    brightBlack: '#7b8394',
  },
  light: {
    background: '#fbfbfd',
    foreground: '#1f2328',
    cursor: '#0969da',
    selectionBackground: '#cfe3ff',
    red: '#c62828',
    green: '#1a7f37',
    yellow: '#9a6700',
    blue: '#0969da',
    black: '#1f2328',
    brightBlack: '#6e7781',
    white: '#6e7781',
  },
};

/** "main.cpp:4:5" / "src/a.c:12" / Python's File "main.py", line 3 */
const LOCATION = /((?:[\w.-]+\/)*[\w.-]+\.[A-Za-z]{1,4}):(\d+)(?::(\d+))?|File "(?:\/work\/)?([^"]+)", line (\d+)/g;

export function findLocations(text: string): { start: number; end: number; file: string; line: number; column: number }[] {
  const out = [];
  LOCATION.lastIndex = 0;
  for (let m = LOCATION.exec(text); m; m = LOCATION.exec(text)) {
    const file = m[1] ?? m[4];
    const line = Number(m[2] ?? m[5]);
    out.push({ start: m.index, end: m.index + m[0].length, file, line, column: Number(m[3] ?? 1) });
  }
  return out;
}

interface Props {
  /** A file location in the output was clicked. */
  onLocation?: (file: string, line: number, column: number) => void;
}

/**
 * The xterm.js widget and nothing else: created once in an effect, fitted to its box with
 * FitAddon + ResizeObserver, attached to the terminal session (which does the wiring), disposed
 * on unmount. The click callback is read through a ref so re-renders never recreate the widget.
 */
export function TerminalPane({ onLocation }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const onLocationRef = useRef(onLocation);
  onLocationRef.current = onLocation;
  const theme = useStore(ui, (s) => s.theme);

  useEffect(() => {
    const el = box.current!;
    const term = new Terminal({
      convertEol: true,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Cascadia Mono", Menlo, monospace',
      fontSize: 13,
      lineHeight: 1.15,
      scrollback: 20_000,
      theme: THEMES[ui.getState().theme],
      allowProposedApi: false,
    });
    // what a program's output may not do (clipboard, links, title, reports): see terminalPolicy
    const policy = applyTerminalPolicy(term);
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    termRef.current = term;

    const safeFit = () => {
      if (el.clientWidth > 0 && el.clientHeight > 0) {
        try {
          fit.fit();
        } catch {
          /* not rendered yet */
        }
      }
    };
    safeFit();
    const ro = new ResizeObserver(() => safeFit());
    ro.observe(el);

    // run/stop/save shortcuts belong to the page, not to the program
    term.attachCustomKeyEventHandler((e) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && (e.key === 'Enter' || e.key === 's')) return false;
      if (e.altKey && /^Digit[1-5]$/.test(e.code)) return false;
      return true;
    });
    // only what is typed or pasted goes to the program, never one of the terminal's own reports
    const data = term.onData((d) => {
      if (!isAnswerback(d)) session.keys(d);
    });
    const links = term.registerLinkProvider({
      provideLinks(y, callback) {
        const line = term.buffer.active.getLine(y - 1);
        if (!line) return callback(undefined);
        const text = line.translateToString(true);
        const found: ILink[] = findLocations(text).map((l) => ({
          range: { start: { x: l.start + 1, y }, end: { x: l.end, y } },
          text: text.slice(l.start, l.end),
          decorations: { underline: true, pointerCursor: true },
          activate: () => onLocationRef.current?.(l.file, l.line, l.column),
        }));
        callback(found.length ? found : undefined);
      },
    });
    const raw = { write: (d: string, done?: () => void) => term.write(d, done), reset: () => term.reset() };
    session.attach(raw);
    (window as unknown as { __sandpitTerm?: Terminal }).__sandpitTerm = term;

    return () => {
      session.detach(raw);
      ro.disconnect();
      data.dispose();
      links.dispose();
      policy.dispose();
      term.dispose();
      termRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = THEMES[theme];
  }, [theme]);

  return <div ref={box} className="terminal-box" data-testid="terminal" />;
}
