import { describe, expect, it } from 'vitest';
import { FrameBatcher } from '../src/lib/frameBatcher';

function harness(maxPerFrame = 10, highWater = 20) {
  const frames: (() => void)[] = [];
  const writes: { data: string; done: () => void }[] = [];
  const b = new FrameBatcher(
    (data, done) => writes.push({ data, done }),
    (cb) => frames.push(cb),
    maxPerFrame,
    highWater,
  );
  const frame = () => {
    const f = frames.splice(0);
    f.forEach((x) => x());
  };
  return { b, frames, writes, frame };
}

describe('FrameBatcher', () => {
  it('writes everything pushed in one frame as one write', () => {
    const { b, writes, frame } = harness(100);
    b.push('a');
    b.push('b');
    b.push('c');
    expect(writes).toHaveLength(0);
    frame();
    expect(writes.map((w) => w.data)).toEqual(['abc']);
  });

  it('spreads a flood over frames, at most maxPerFrame each, in order', () => {
    const { b, writes, frame } = harness(10, 1000);
    b.push('0123456789abcdefghijXYZ');
    frame();
    frame();
    frame();
    expect(writes.map((w) => w.data)).toEqual(['0123456789', 'abcdefghij', 'XYZ']);
    expect(b.pending).toBe(0);
  });

  it('waits for the terminal to catch up above the high-water mark', () => {
    const { b, writes, frame } = harness(10, 15);
    b.push('x'.repeat(40));
    frame();
    frame();
    expect(writes).toHaveLength(2); // 20 in flight > 15
    frame();
    expect(writes).toHaveLength(2);
    writes[0].done();
    frame();
    expect(writes).toHaveLength(3);
    writes[1].done();
    writes[2].done();
    frame();
    expect(writes.map((w) => w.data).join('')).toBe('x'.repeat(40));
  });

  it('never splits a surrogate pair', () => {
    const { b, writes, frame } = harness(5, 1000);
    b.push('abcd😀efgh');
    for (let i = 0; i < 5; i++) frame();
    for (const w of writes) {
      const last = w.data.charCodeAt(w.data.length - 1);
      expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
    }
    expect(writes.map((w) => w.data).join('')).toBe('abcd😀efgh');
  });

  it('clear() drops what was not written', () => {
    const { b, writes, frame } = harness(100);
    b.push('old');
    b.clear();
    b.push('new');
    frame();
    expect(writes.map((w) => w.data)).toEqual(['new']);
  });
});
