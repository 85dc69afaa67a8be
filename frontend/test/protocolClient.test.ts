import { describe, expect, it } from 'vitest';
import { ProtocolClient, ProtocolError, executeUrl } from '../src/lib/protocolClient';
import type { JobEvent, SessionEvent } from '../src/types/protocol';
import { FakeSocket, ManualTimers, flush, out, rng } from './helpers';

function setup() {
  const timers = new ManualTimers();
  const sockets: FakeSocket[] = [];
  let token = 't1';
  const client = new ProtocolClient({
    url: () => `ws://host/ws/execute?token=${token}`,
    createSocket: (u) => {
      const s = new FakeSocket(u);
      sockets.push(s);
      return s;
    },
    timers,
    backoff: { initialMs: 100, maxMs: 1000, random: () => 1 },
    gapTimeoutMs: 500,
    attachHoldMs: 200,
  });
  const last = () => sockets[sockets.length - 1];
  return { timers, sockets, client, last, setToken: (t: string) => (token = t) };
}

/** Connect, start a run, have it accepted; returns what the handler saw. */
async function started() {
  const env = setup();
  env.client.connect();
  env.last().open();
  const got: JobEvent[] = [];
  const p = env.client.execute({ session_id: 's1', language: 'python' }, { onEvent: (e) => got.push(e) });
  const req = env.last().sentOfType('execute')[0];
  env.last().deliver({ type: 'accepted', seq: 1, job_id: 'job1', request_id: req.request_id, language: 'python' });
  await expect(p).resolves.toBe('job1');
  return { ...env, got, seqs: () => got.map((e) => e.seq) };
}

describe('ProtocolClient', () => {
  it('sends execute with a request id and resolves with the accepted job id', async () => {
    const { last, got } = await started();
    const req = last().sentOfType('execute')[0];
    expect(req).toMatchObject({ type: 'execute', session_id: 's1', language: 'python' });
    expect(typeof req.request_id).toBe('string');
    expect(got.map((e) => e.type)).toEqual(['accepted']);
  });

  it('delivers a job’s events in seq order, each once', async () => {
    const { last, seqs } = await started();
    for (const s of [3, 2, 2, 5, 4, 3, 1]) last().deliver(out('job1', s));
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects an execute the server refuses, with its code', async () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    const p = client.execute({ session_id: 's', language: 'cpp', compiler_flags: ['-fno-such'] }, { onEvent: () => {} });
    const req = last().sentOfType('execute')[0];
    last().deliver({ type: 'error', code: 'invalid_field', message: "compiler flag '-fno-such' is not allowed", request_id: req.request_id });
    await expect(p).rejects.toMatchObject({ code: 'invalid_field' });
    await expect(p).rejects.toBeInstanceOf(ProtocolError);
  });

  it('reconnects with backoff and re-attaches after the last seq seen, without losing or repeating output', async () => {
    const { client, timers, sockets, last, seqs } = await started();
    last().deliver(out('job1', 2));
    last().deliver(out('job1', 3));
    last().drop();
    expect(client.status).toBe('reconnecting');
    timers.advance(99);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(client.status).toBe('open');
    expect(last().sentOfType('attach')).toEqual([{ type: 'attach', job_id: 'job1', after_seq: 3 }]);
    // the server replays from after_seq; a live event may race with the replay
    for (const s of [4, 3, 5, 4, 6, 5]) last().deliver(out('job1', s));
    last().deliver({ type: 'complete', seq: 7, job_id: 'job1', status: 'ok', exit_code: 0 });
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('survives any split of a run across reconnects, with repeats and reorders at the seams', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed);
      const { client, timers, last, seqs } = await started();
      const n = 5 + Math.floor(r() * 30);
      let delivered = 1; // seq 1 (accepted) already
      let connections = 1;
      while (delivered < n) {
        // this connection carries a random stretch, with repeats and a swapped pair
        const upto = Math.min(n, delivered + 1 + Math.floor(r() * 6));
        const batch: number[] = [];
        for (let s = delivered + 1; s <= upto; s++) batch.push(s);
        if (r() < 0.5 && delivered > 1) batch.unshift(delivered - Math.floor(r() * delivered));
        if (batch.length > 2 && r() < 0.5) [batch[0], batch[1]] = [batch[1], batch[0]];
        for (const s of batch) last().deliver(s === n ? { type: 'complete', seq: n, job_id: 'job1', status: 'ok' } : out('job1', s));
        delivered = upto;
        if (delivered >= n) break;
        last().drop();
        timers.advance(2000);
        last().open();
        connections++;
        const attach = last().sentOfType('attach');
        expect(attach).toEqual([{ type: 'attach', job_id: 'job1', after_seq: seqs()[seqs().length - 1] }]);
      }
      expect(seqs()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(client.isFollowing('job1')).toBe(false);
      expect(connections).toBeGreaterThanOrEqual(1);
    }
  });

  it('asks again for a gap that does not fill by itself', async () => {
    const { last, timers, seqs } = await started();
    last().deliver(out('job1', 2));
    last().deliver(out('job1', 4));
    last().deliver(out('job1', 5));
    expect(seqs()).toEqual([1, 2]);
    expect(last().sentOfType('attach')).toHaveLength(0);
    timers.advance(500);
    expect(last().sentOfType('attach')).toEqual([{ type: 'attach', job_id: 'job1', after_seq: 2 }]);
    for (const s of [3, 4, 5, 6]) last().deliver(out('job1', s));
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a gap filled in time needs no attach', async () => {
    const { last, timers, seqs } = await started();
    last().deliver(out('job1', 3));
    timers.advance(300);
    last().deliver(out('job1', 2));
    timers.advance(1000);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(last().sentOfType('attach')).toHaveLength(0);
  });

  it('holds input typed while disconnected and sends it once the job is attached again', async () => {
    const { client, timers, last } = await started();
    last().drop();
    client.input('job1', 'Ada\n');
    client.eof('job1');
    timers.advance(100);
    const s2 = last();
    s2.open();
    expect(s2.sentOfType('attach')).toHaveLength(1);
    expect(s2.sentOfType('input_response')).toHaveLength(0);
    // an event of the job proves the attach is in place
    s2.deliver({ type: 'input_request', seq: 2, job_id: 'job1', prompt: 'Name? ' });
    expect(s2.sent.map((m) => m.type)).toEqual(['attach', 'input_response', 'eof']);
    expect(s2.sentOfType('input_response')[0]).toEqual({ type: 'input_response', job_id: 'job1', data: 'Ada\n' });
  });

  it('re-sends input the server got before it had set up the attach', async () => {
    const { client, timers, last } = await started();
    last().drop();
    timers.advance(100);
    const s2 = last();
    s2.open();
    client.input('job1', 'x\n');
    client.input('job1', 'y\n');
    // no event comes (the program waits for input): after the hold, the input goes anyway
    timers.advance(200);
    expect(s2.sentOfType('input_response').map((m) => m.data)).toEqual(['x\n', 'y\n']);
    // the first one overtook the attach on the server
    s2.deliver({ type: 'error', code: 'unknown_job', job_id: 'job1', message: "job 'job1' is not followed on this connection; attach first" });
    timers.advance(200);
    expect(s2.sentOfType('input_response').map((m) => m.data)).toEqual(['x\n', 'y\n', 'x\n']);
    s2.deliver(out('job1', 2));
    timers.advance(5000);
    expect(s2.sentOfType('input_response')).toHaveLength(3);
  });

  it('sends input straight away on a confirmed job', async () => {
    const { client, last } = await started();
    client.input('job1', 'hi\n');
    client.stop('job1');
    expect(last().sent.slice(-2)).toEqual([
      { type: 'input_response', job_id: 'job1', data: 'hi\n' },
      { type: 'stop', job_id: 'job1' },
    ]);
  });

  it('fails an execute whose connection dropped before it was accepted; one queued while offline goes out on reconnect', async () => {
    const { client, timers, last } = setup();
    client.connect();
    last().open();
    const lost = client.execute({ session_id: 's', language: 'python' }, { onEvent: () => {} });
    last().drop();
    await expect(lost).rejects.toMatchObject({ code: 'connection_lost' });
    const queued = client.execute({ session_id: 's', language: 'python' }, { onEvent: () => {} });
    timers.advance(100);
    last().open();
    const req = last().sentOfType('execute');
    expect(req).toHaveLength(1);
    last().deliver({ type: 'accepted', seq: 1, job_id: 'j2', request_id: req[0].request_id });
    await expect(queued).resolves.toBe('j2');
  });

  it('watches sessions, again after a reconnect, and stops on unwatch', async () => {
    const { client, timers, last } = setup();
    client.connect();
    last().open();
    const events: SessionEvent[] = [];
    const stop = client.watch('s1', (e) => events.push(e));
    expect(last().sentOfType('watch')).toEqual([{ type: 'watch', session_id: 's1' }]);
    last().deliver({ type: 'session_event', session_id: 's1', kind: 'run_started', job_id: 'j9', user_id: 'u' });
    last().deliver({ type: 'session_event', session_id: 'other', kind: 'run_started' });
    expect(events.map((e) => e.job_id)).toEqual(['j9']);
    last().drop();
    timers.advance(100);
    last().open();
    expect(last().sentOfType('watch')).toEqual([{ type: 'watch', session_id: 's1' }]);
    stop();
    expect(last().sentOfType('unwatch')).toEqual([{ type: 'unwatch', session_id: 's1' }]);
  });

  it('follows a job by attach and reports a job that is gone', async () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    const got: number[] = [];
    let lost = '';
    client.attach('jx', { onEvent: (e) => got.push(e.seq), onLost: (e) => (lost = e.code) }, 0);
    expect(last().sentOfType('attach')).toEqual([{ type: 'attach', job_id: 'jx', after_seq: 0 }]);
    last().deliver({ type: 'accepted', seq: 1, job_id: 'jx' });
    last().deliver(out('jx', 2));
    expect(got).toEqual([1, 2]);
    client.attach('gone', { onEvent: () => {}, onLost: (e) => (lost = e.code) }, 0);
    last().deliver({ type: 'error', code: 'unknown_job', job_id: 'gone', message: "unknown or expired job 'gone'" });
    expect(lost).toBe('unknown_job');
    expect(client.isFollowing('gone')).toBe(false);
  });

  it('does not re-attach a finished job', async () => {
    const { timers, last } = await started();
    last().deliver({ type: 'complete', seq: 2, job_id: 'job1', status: 'ok', exit_code: 0 });
    last().drop();
    timers.advance(100);
    last().open();
    expect(last().sentOfType('attach')).toHaveLength(0);
  });

  it('backs off exponentially up to the cap, and uses the current token', () => {
    const { client, timers, sockets, last, setToken } = setup();
    client.connect();
    const delays: number[] = [];
    let t = timers.now;
    for (let i = 0; i < 6; i++) {
      const before = sockets.length;
      last().drop();
      while (sockets.length === before) timers.advance(1);
      delays.push(timers.now - t);
      t = timers.now;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    setToken('t2');
    last().drop();
    timers.advance(1000);
    expect(last().url).toContain('token=t2');
  });

  it('close() stops for good and fails what is pending', async () => {
    const { client, timers, sockets, last } = setup();
    client.connect();
    last().open();
    const p = client.execute({ session_id: 's', language: 'python' }, { onEvent: () => {} });
    client.close();
    await expect(p).rejects.toMatchObject({ code: 'closed' });
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.status).toBe('closed');
  });

  it('ignores frames that are not JSON objects', async () => {
    const { last, seqs } = await started();
    last().deliver('not json');
    last().deliver('42');
    last().deliver(out('job1', 2));
    await flush();
    expect(seqs()).toEqual([1, 2]);
  });

  it('builds the socket URL from the page origin', () => {
    expect(executeUrl('a b', { protocol: 'https:', host: 'x.dev' })).toBe('wss://x.dev/ws/execute?token=a%20b');
    expect(executeUrl(null, { protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/ws/execute');
  });
});
