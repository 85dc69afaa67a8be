import { describe, expect, it } from 'vitest';
import { createRunStore, completeSummary, type RunClient } from '../src/lib/runStore';
import type { JobHandler } from '../src/lib/protocolClient';
import type { TerminalSink } from '../src/lib/terminalSession';
import type { ExecuteMessage } from '../src/types/protocol';
import { flush } from './helpers';

function harness() {
  const calls: string[] = [];
  let handler: JobHandler | null = null;
  let resolveExec: (id: string) => void = () => {};
  let rejectExec: (e: Error) => void = () => {};
  const executed: Omit<ExecuteMessage, 'type'>[] = [];
  const client: RunClient = {
    execute: (m, h) => {
      executed.push(m);
      handler = h;
      return new Promise((res, rej) => {
        resolveExec = res;
        rejectExec = rej;
      });
    },
    attach: (id, h, after) => {
      handler = h;
      calls.push(`attach ${id} ${after}`);
    },
    detach: (id) => calls.push(`detach ${id}`),
    input: (id, d) => calls.push(`input ${id} ${JSON.stringify(d)}`),
    eof: (id) => calls.push(`eof ${id}`),
    stop: (id) => calls.push(`stop ${id}`),
  };
  const screen: string[] = [];
  const terminal: TerminalSink = {
    out: (d, s) => screen.push(`${s}:${d}`),
    typed: (d, who) => screen.push(`typed(${who ?? 'me'}):${d}`),
    info: (t) => screen.push(`info:${t}`),
    clear: () => screen.push('clear'),
  };
  const errors: string[] = [];
  const finished: string[] = [];
  const started: string[] = [];
  const store = createRunStore({
    client,
    terminal,
    self: () => 'me',
    onError: (e) => errors.push(e.code),
    onFinished: (id) => finished.push(id),
    onStarted: (id) => started.push(id),
  });
  return {
    store,
    started,
    calls,
    screen,
    errors,
    finished,
    executed,
    emit: (e: Parameters<JobHandler['onEvent']>[0]) => handler!.onEvent(e),
    accept: async (id = 'j1') => {
      handler!.onEvent({ type: 'accepted', seq: 1, job_id: id });
      resolveExec(id);
      await flush();
    },
    refuse: async (code: string, message: string) => {
      rejectExec(Object.assign(new Error(message), { code }));
      await flush();
    },
  };
}

describe('run store', () => {
  it('goes starting → queued → running → waiting for input → finished, writing the output', async () => {
    const h = harness();
    const p = h.store.getState().run({ sessionId: 's', language: 'python', compiled: false });
    expect(h.store.getState().phase).toBe('starting');
    expect(h.executed[0]).toEqual({ session_id: 's', language: 'python' });
    await h.accept();
    await p;
    expect(h.store.getState()).toMatchObject({ phase: 'queued', jobId: 'j1' });
    // running from the worker's word, before any output (a program that sleeps first is not "queued")
    h.emit({ type: 'started', seq: 2, job_id: 'j1', stage: 'run' });
    expect(h.store.getState().phase).toBe('running');
    h.emit({ type: 'output', seq: 3, job_id: 'j1', stream: 'stdout', data: 'What is your name? ' });
    expect(h.store.getState().phase).toBe('running');
    h.emit({ type: 'input_request', seq: 4, job_id: 'j1', prompt: 'What is your name? ' });
    expect(h.store.getState()).toMatchObject({ phase: 'waiting_input', prompt: 'What is your name? ' });
    h.store.getState().input('Ada\n');
    expect(h.calls).toContain('input j1 "Ada\\n"');
    expect(h.store.getState().phase).toBe('running');
    h.emit({ type: 'output', seq: 5, job_id: 'j1', stream: 'stderr', data: 'warn\n' });
    h.emit({ type: 'complete', seq: 6, job_id: 'j1', status: 'ok', exit_code: 0, execution_time: 31, memory_kb: 9820 });
    expect(h.store.getState().phase).toBe('finished');
    expect(h.store.getState().complete?.exit_code).toBe(0);
    expect(h.finished).toEqual(['j1']);
    expect(h.screen).toContain('stdout:What is your name? ');
    expect(h.screen).toContain('stderr:warn\n');
    expect(h.screen.at(-1)).toBe('info:── finished · exit 0 · 31 ms · 9.6 MB peak');
  });

  it('keeps input, EOF and stop typed before the run is accepted, and sends them after', async () => {
    const h = harness();
    const p = h.store.getState().run({ sessionId: 's', language: 'python', compiled: false });
    h.store.getState().input('early\n');
    h.store.getState().eof();
    expect(h.calls).toEqual([]);
    await h.accept('j7');
    await p;
    expect(h.calls).toEqual(['input j7 "early\\n"', 'eof j7']);
  });

  it("shows others' input with who typed it, and its own only when this terminal did not echo it", async () => {
    const h = harness();
    const p = h.store.getState().run({ sessionId: 's', language: 'python', compiled: false });
    await h.accept();
    await p;
    h.emit({ type: 'input_request', seq: 2, job_id: 'j1', prompt: 'Name? ' });
    h.emit({ type: 'input', seq: 3, job_id: 'j1', data: 'Bob\n', by: { id: 'u2', name: 'bob' } });
    expect(h.store.getState().phase).toBe('running');
    h.store.getState().input('Ann\n'); // echoed locally by the line editor
    h.emit({ type: 'input', seq: 4, job_id: 'j1', data: 'Ann\n', by: { id: 'me', name: 'ann' } });
    h.emit({ type: 'input', seq: 5, job_id: 'j1', data: 'again\n', by: { id: 'me', name: 'ann' } }); // from another tab of mine
    expect(h.screen.filter((l) => l.startsWith('typed'))).toEqual(['typed(bob):Bob\n', 'typed(me):again\n']);
    // after a reload the page follows the run: its own earlier input is shown again
    h.store.getState().follow({ jobId: 'j1', sessionId: 's', canControl: true });
    h.emit({ type: 'input', seq: 4, job_id: 'j1', data: 'Ann\n', by: { id: 'me', name: 'ann' } });
    expect(h.screen.at(-1)).toBe('typed(me):Ann\n');
  });

  it('a compiled language shows compiling, then the diagnostics of a failed compile', async () => {
    const h = harness();
    const p = h.store.getState().run({ sessionId: 's', language: 'cpp', compiled: true, compilerFlags: ['-Wall'] });
    expect(h.executed[0].compiler_flags).toEqual(['-Wall']);
    await h.accept();
    await p;
    expect(h.store.getState().phase).toBe('queued');
    h.emit({ type: 'started', seq: 2, job_id: 'j1', stage: 'compile' });
    expect(h.store.getState().phase).toBe('compiling');
    h.emit({
      type: 'compile',
      seq: 3,
      job_id: 'j1',
      status: 'error',
      output: "main.cpp:3:5: error: 'y' was not declared in this scope\n",
      diagnostics: [{ file: 'main.cpp', line: 3, column: 5, severity: 'error', message: "'y' was not declared in this scope" }],
    });
    expect(h.store.getState().diagnostics).toHaveLength(1);
    expect(h.screen).toContain('info:✖ compilation failed — 1 error, 0 warnings');
    h.emit({ type: 'complete', seq: 4, job_id: 'j1', status: 'compile_error', exit_code: 1, message: 'compilation failed' });
    expect(h.store.getState().phase).toBe('finished');
    // told once, by the compile line, not again by the complete event's message
    expect(h.screen.filter((l) => l.includes('compilation failed'))).toHaveLength(1);
  });

  it('a compiled program waits for a run worker after compiling, then runs', async () => {
    const h = harness();
    const p = h.store.getState().run({ sessionId: 's', language: 'c', compiled: true });
    await h.accept();
    await p;
    h.emit({ type: 'compile', seq: 2, job_id: 'j1', status: 'ok', cached: true, duration_ms: 3 });
    expect(h.store.getState().phase).toBe('queued');
    h.emit({ type: 'started', seq: 3, job_id: 'j1', stage: 'run' });
    expect(h.store.getState().phase).toBe('running');
    expect(h.started).toEqual(['j1']);
  });

  it('a run of this tab picked up after a reload is shown as the user’s own, resumed', () => {
    const h = harness();
    h.store.getState().follow({ jobId: 'mine', sessionId: 's', canControl: true, by: 'you (another tab)', resumed: true });
    expect(h.store.getState().origin).toBe('self');
    expect(h.screen).toContain('info:↪ Your run, resumed after the page was reloaded');
    expect(h.screen.join('\n')).not.toMatch(/another tab|Following/);
  });

  it('a refused run is reported and ends at once', async () => {
    const h = harness();
    const p = h.store.getState().run({ sessionId: 's', language: 'cpp', compiled: true, compilerFlags: ['-fplugin=x'] });
    await h.refuse('invalid_field', "compiler flag '-fplugin=x' is not allowed");
    await p;
    expect(h.store.getState()).toMatchObject({ phase: 'finished', error: { code: 'invalid_field' } });
    expect(h.errors).toEqual(['invalid_field']);
  });

  it('follows another run by attaching from the start; a viewer cannot type into it', () => {
    const h = harness();
    h.store.getState().follow({ jobId: 'other', sessionId: 's', canControl: false, by: 'another user' });
    expect(h.calls).toEqual(['attach other 0']);
    expect(h.store.getState()).toMatchObject({ origin: 'follow', jobId: 'other' });
    h.emit({ type: 'accepted', seq: 1, job_id: 'other' });
    h.emit({ type: 'output', seq: 2, job_id: 'other', stream: 'stdout', data: 'hi\n' });
    expect(h.store.getState().acceptsInput()).toBe(false);
    h.store.getState().input('x\n');
    h.store.getState().stop();
    expect(h.calls).toEqual(['attach other 0']);
  });

  it('events of a run that was replaced are ignored', async () => {
    const h = harness();
    h.store.getState().follow({ jobId: 'a', sessionId: 's', canControl: true });
    const first = h;
    const oldEmit = first.emit;
    h.store.getState().follow({ jobId: 'b', sessionId: 's', canControl: true });
    expect(h.calls).toContain('detach a');
    // the handler captured for "a" is stale: emit through a fresh follow of b only
    oldEmit({ type: 'output', seq: 2, job_id: 'b', stream: 'stdout', data: 'from b\n' });
    expect(h.screen.filter((x) => x.startsWith('stdout:'))).toEqual(['stdout:from b\n']);
  });

  it('replays a recorded run with its streams, stdin included', () => {
    const h = harness();
    h.store.getState().replay({
      id: 'r1',
      session_id: 's',
      user_id: 'u',
      language: 'python',
      status: 'ok',
      exit_code: 0,
      wall_ms: 40,
      started_at: 1,
      live: false,
      files: [],
      transcript: [
        { seq: 3, stream: 'stdout', data: 'Hello\n' },
        { seq: 2, stream: 'stdin', data: 'Ada\n' },
        { seq: 1, stream: 'stdout', data: 'Name? ' },
      ],
    });
    expect(h.screen.filter((x) => !x.startsWith('info') && x !== 'clear')).toEqual(['stdout:Name? ', 'stdin:Ada\n', 'stdout:Hello\n']);
    expect(h.store.getState()).toMatchObject({ origin: 'replay', replayOf: 'r1', phase: 'finished' });
    expect(h.store.getState().acceptsInput()).toBe(false);
  });

  it('summarises a complete event', () => {
    expect(completeSummary({ type: 'complete', seq: 9, job_id: 'x', status: 'runtime_error', exit_code: 139, signal: 'SIGSEGV', execution_time: 1500, memory_kb: 512 })).toBe(
      'runtime error · exit 139 · SIGSEGV · 1.50 s · 512 KB peak',
    );
  });
});
