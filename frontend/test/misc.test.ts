import { describe, expect, it } from 'vitest';
import { compilerFlags, displayWithCompiler, mainFileFor, monacoLanguageFor, normaliseDiagnosticPath, parseCompilerFlags, DEFAULT_CFLAGS } from '../src/lib/languages';
import { parseRoute } from '../src/lib/router';
import { backoffDelay } from '../src/lib/backoff';
import { encodePath, createApi, ApiError } from '../src/lib/api';
import { atLeast } from '../src/types/api';

describe('languages', () => {
  it('picks the main file by convention, else the first of the language', () => {
    expect(mainFileFor('python', ['a.py', 'main.py'])).toBe('main.py');
    expect(mainFileFor('cpp', ['util.h', 'prog.cpp'])).toBe('prog.cpp');
    expect(mainFileFor('java', ['Main.java', 'A.java'])).toBe('Main.java');
  });
  it('maps files to editor modes', () => {
    expect(monacoLanguageFor('src/a.rs')).toBe('rust');
    expect(monacoLanguageFor('x.h', 'cpp')).toBe('cpp');
    expect(monacoLanguageFor('x.h', 'c')).toBe('c');
    expect(monacoLanguageFor('README')).toBe('plaintext');
  });
  it('turns the flags UI into compiler_flags the server accepts', () => {
    expect(compilerFlags(DEFAULT_CFLAGS)).toEqual([]);
    expect(compilerFlags({ opt: '-O0', std: 'c++20', wall: true, wextra: true, debug: true })).toEqual(['-O0', '-std=c++20', '-Wall', '-Wextra', '-g']);
  });
  it('finds the workspace file a diagnostic names', () => {
    const paths = ['main.cpp', 'src/util.cpp', 'lib/util.h'];
    expect(normaliseDiagnosticPath('main.cpp', paths)).toBe('main.cpp');
    expect(normaliseDiagnosticPath('/work/src/util.cpp', paths)).toBe('src/util.cpp');
    expect(normaliseDiagnosticPath('./lib/util.h', paths)).toBe('lib/util.h');
    expect(normaliseDiagnosticPath('util.h', paths)).toBe('lib/util.h');
    expect(normaliseDiagnosticPath('/usr/include/stdio.h', paths)).toBeUndefined();
    expect(normaliseDiagnosticPath(undefined, paths, 'main.cpp')).toBe('main.cpp');
  });
});

describe('router', () => {
  it('reads sessions and join links from the hash, joins from the path too', () => {
    expect(parseRoute('#/s/abc')).toEqual({ name: 'session', id: 'abc' });
    expect(parseRoute('#/join/t0k')).toEqual({ name: 'join', token: 't0k' });
    expect(parseRoute('', '/join/xyz')).toEqual({ name: 'join', token: 'xyz' });
    expect(parseRoute('#/whatever')).toEqual({ name: 'home' });
  });
});

describe('backoff', () => {
  it('doubles up to the cap with jitter in the upper half', () => {
    const o = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, { ...o, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...o, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...o, random: () => 1 })).toBe(800);
    expect(backoffDelay(10, { ...o, random: () => 0.5 })).toBe(750);
  });
});

describe('REST client', () => {
  it('encodes a file path as one segment (slashes too) and sends the token', async () => {
    expect(encodePath('src/a b/c#.py')).toBe('src%2Fa%20b%2Fc%23.py');
    // no dot segment left for the browser to resolve
    expect(encodePath('../escape.py')).toBe('..%2Fescape.py');
    expect(new URL(`http://h/api/sessions/s/files/${encodePath('../escape.py')}`).pathname).toBe('/api/sessions/s/files/..%2Fescape.py');
    const seen: { url: string; init?: RequestInit }[] = [];
    const api = createApi({
      getToken: () => 'tok',
      fetch: async (url, init) => {
        seen.push({ url, init });
        return new Response(JSON.stringify({ path: 'a b.py', version: 2 }), { status: 200 });
      },
    });
    await api.writeFile('s1', 'dir/a b.py', 'x', 1);
    expect(seen[0].url).toBe('/api/sessions/s1/files/dir%2Fa%20b.py');
    expect((seen[0].init!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(seen[0].init!.body as string)).toEqual({ content: 'x', version: 1 });
  });

  it('turns error bodies into ApiError and reports an expired token', async () => {
    let unauthorized = 0;
    const api = createApi({
      getToken: () => 'tok',
      onUnauthorized: () => unauthorized++,
      fetch: async () => new Response(JSON.stringify({ code: 'unauthorized', message: 'expired' }), { status: 401 }),
    });
    await expect(api.listSessions()).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: 'expired' });
    expect(unauthorized).toBe(1);
    const offline = createApi({ getToken: () => null, fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    const err = await offline.languages().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('network');
  });

  it('ranks roles', () => {
    expect(atLeast('editor', 'runner')).toBe(true);
    expect(atLeast('viewer', 'runner')).toBe(false);
    expect(atLeast(undefined, 'viewer')).toBe(true);
  });
});

describe('session compiler settings in the picker', () => {
  it('reads the stored flags back into the picker and writes them out unchanged, unknown ones kept', () => {
    const stored = ['-O3', '-std=c++20', '-Wall', '-g', '-DNAME=1'];
    const f = parseCompilerFlags(stored, 'clang++');
    expect(f).toMatchObject({ compiler: 'clang++', opt: '-O3', std: 'c++20', wall: true, wextra: false, debug: true, extra: '-DNAME=1' });
    expect(compilerFlags(f)).toEqual(stored);
    expect(compilerFlags(parseCompilerFlags([], null))).toEqual([]);
  });

  it("names the session's compiler in the language's label", () => {
    expect(displayWithCompiler('C++ (g++)', 'clang++')).toBe('C++ (clang++)');
    expect(displayWithCompiler('C (gcc)', 'clang')).toBe('C (clang)');
    expect(displayWithCompiler('C++ (g++)', null)).toBe('C++ (g++)');
  });
});
