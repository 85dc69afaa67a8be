/** What the frontend knows about each language beyond GET /api/languages: files and editor modes. */
export interface LanguageInfo {
  /** The conventional main file (the server's languages.json `main`). */
  main: string;
  extensions: string[];
  /** Monaco language id. */
  monaco: string;
  /** C family: accepts the compiler flags UI. */
  cFamily?: 'c' | 'cpp';
}

export const LANGUAGE_INFO: Record<string, LanguageInfo> = {
  python: { main: 'main.py', extensions: ['.py'], monaco: 'python' },
  javascript: { main: 'main.js', extensions: ['.js', '.mjs', '.cjs'], monaco: 'javascript' },
  bash: { main: 'main.sh', extensions: ['.sh', '.bash'], monaco: 'shell' },
  c: { main: 'main.c', extensions: ['.c', '.h'], monaco: 'c', cFamily: 'c' },
  cpp: { main: 'main.cpp', extensions: ['.cpp', '.cc', '.cxx', '.hpp', '.hh', '.h'], monaco: 'cpp', cFamily: 'cpp' },
  rust: { main: 'main.rs', extensions: ['.rs'], monaco: 'rust' },
  go: { main: 'main.go', extensions: ['.go'], monaco: 'go' },
  java: { main: 'Main.java', extensions: ['.java'], monaco: 'java' },
};

const EXTRA_MODES: Record<string, string> = {
  '.md': 'markdown',
  '.json': 'json',
  '.txt': 'plaintext',
  '.ts': 'typescript',
  '.html': 'html',
  '.css': 'css',
  '.yml': 'yaml',
  '.yaml': 'yaml',
  '.toml': 'ini',
  '.xml': 'xml',
  '.sql': 'sql',
};

function ext(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** Monaco language id for a file path ('plaintext' when unknown). */
export function monacoLanguageFor(path: string, sessionLanguage?: string): string {
  const e = ext(path);
  if (e === '.h' && sessionLanguage === 'cpp') return 'cpp';
  for (const info of Object.values(LANGUAGE_INFO)) if (info.extensions.includes(e)) return info.monaco;
  return EXTRA_MODES[e] ?? 'plaintext';
}

/** The file a run of this language starts from: the conventional name, else the first of its kind. */
export function mainFileFor(language: string, paths: string[]): string | undefined {
  const info = LANGUAGE_INFO[language];
  if (!info) return paths[0];
  if (paths.includes(info.main)) return info.main;
  const primary = info.extensions[0];
  return paths.find((p) => ext(p) === primary) ?? paths.find((p) => info.extensions.includes(ext(p))) ?? paths[0];
}

// ---- C/C++ compiler flags (the protocol's compiler_flags; the server refuses anything else) ----

export interface CFlags {
  /** '' = the server's default (gcc / g++); else gcc, clang, g++ or clang++. */
  compiler?: string;
  opt: '' | '-O0' | '-O1' | '-O2' | '-O3';
  std: string; // '' = the server's default
  wall: boolean;
  wextra: boolean;
  debug: boolean;
  /** Any other flags, as typed (space-separated), also those set through the API; the server checks them against its allowlist. */
  extra?: string;
}

export const DEFAULT_CFLAGS: CFlags = { opt: '', std: '', wall: false, wextra: false, debug: false };

/** The picker's view of a session's compiler flags (the inverse of {@link compilerFlags}). */
export function parseCompilerFlags(flags: readonly string[] | undefined | null, compiler?: string | null): CFlags {
  const f: CFlags = { ...DEFAULT_CFLAGS };
  const extra: string[] = [];
  if (compiler) f.compiler = compiler;
  for (const x of flags ?? []) {
    if (/^-O[0-3]$/.test(x)) f.opt = x as CFlags['opt'];
    else if (x.startsWith('-std=')) f.std = x.slice(5);
    else if (x === '-Wall') f.wall = true;
    else if (x === '-Wextra') f.wextra = true;
    else if (x === '-g') f.debug = true;
    else extra.push(x);
  }
  if (extra.length) f.extra = extra.join(' ');
  return f;
}

/** The language's name with the compiler in use: "C++ (g++)" becomes "C++ (clang++)". */
export function displayWithCompiler(display: string, compiler: string | null | undefined): string {
  if (!compiler) return display;
  return `${display.replace(/\s*\([^)]*\)\s*$/, '')} (${compiler})`;
}

export const C_COMPILERS = ['gcc', 'clang'];
export const CPP_COMPILERS = ['g++', 'clang++'];

export const C_STANDARDS = ['c89', 'c99', 'c11', 'c17', 'c2x', 'gnu11', 'gnu17'];
export const CPP_STANDARDS = ['c++11', 'c++14', 'c++17', 'c++20', 'c++23', 'gnu++17', 'gnu++20'];

export function compilerFlags(f: CFlags): string[] {
  const out: string[] = [];
  if (f.opt) out.push(f.opt);
  if (f.std) out.push(`-std=${f.std}`);
  if (f.wall) out.push('-Wall');
  if (f.wextra) out.push('-Wextra');
  if (f.debug) out.push('-g');
  out.push(...splitFlags(f.extra));
  return out;
}

/** "-fsanitize=address  -DN=3" → ["-fsanitize=address", "-DN=3"] (no quoting: a flag has no spaces). */
export function splitFlags(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter(Boolean);
}

/** A diagnostic's file as a workspace path: "/work/src/a.c", "./src/a.c" → "src/a.c". */
export function normaliseDiagnosticPath(file: string | undefined, paths: string[], fallback?: string): string | undefined {
  if (!file) return fallback;
  let f = file.replace(/\\/g, '/');
  f = f.replace(/^\/work\//, '').replace(/^(\.\/)+/, '');
  if (paths.includes(f)) return f;
  const base = f.slice(f.lastIndexOf('/') + 1);
  const byTail = paths.filter((p) => p === base || p.endsWith('/' + f) || f.endsWith('/' + p));
  if (byTail.length === 1) return byTail[0];
  const byBase = paths.filter((p) => p.slice(p.lastIndexOf('/') + 1) === base);
  if (byBase.length === 1) return byBase[0];
  return undefined;
}
