import { describe, expect, it } from 'vitest';
import { SeqOrderer } from '../src/lib/seqOrderer';
import { rng } from './helpers';

const ev = (seq: number) => ({ seq });

describe('SeqOrderer', () => {
  it('delivers in order and drops duplicates', () => {
    const got: number[] = [];
    const o = new SeqOrderer<{ seq: number }>((e) => got.push(e.seq));
    expect(o.push(ev(1))).toBe('delivered');
    expect(o.push(ev(2))).toBe('delivered');
    expect(o.push(ev(2))).toBe('duplicate');
    expect(o.push(ev(1))).toBe('duplicate');
    expect(got).toEqual([1, 2]);
    expect(o.lastSeq).toBe(2);
  });

  it('holds events behind a gap until it is filled', () => {
    const got: number[] = [];
    const o = new SeqOrderer<{ seq: number }>((e) => got.push(e.seq));
    o.push(ev(1));
    expect(o.push(ev(4))).toBe('buffered');
    expect(o.push(ev(3))).toBe('buffered');
    expect(o.push(ev(4))).toBe('duplicate');
    expect(o.hasGap).toBe(true);
    expect(got).toEqual([1]);
    o.push(ev(2));
    expect(got).toEqual([1, 2, 3, 4]);
    expect(o.hasGap).toBe(false);
  });

  it('starts after a given seq (attach after_seq)', () => {
    const got: number[] = [];
    const o = new SeqOrderer<{ seq: number }>((e) => got.push(e.seq), 5);
    o.push(ev(3));
    o.push(ev(5));
    o.push(ev(6));
    expect(got).toEqual([6]);
  });

  it('ignores events without an integer seq', () => {
    const got: number[] = [];
    const o = new SeqOrderer<{ seq: number }>((e) => got.push(e.seq));
    o.push({ seq: Number.NaN });
    o.push({ seq: 1.5 });
    expect(got).toEqual([]);
  });

  it('turns any shuffle with repeats into 1..n exactly once', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 40);
      const stream: number[] = [];
      for (let s = 1; s <= n; s++) {
        stream.push(s);
        if (r() < 0.3) stream.push(1 + Math.floor(r() * s));
      }
      for (let i = stream.length - 1; i > 0; i--) {
        if (r() < 0.5) continue;
        const j = Math.floor(r() * (i + 1));
        [stream[i], stream[j]] = [stream[j], stream[i]];
      }
      const got: number[] = [];
      const o = new SeqOrderer<{ seq: number }>((e) => got.push(e.seq));
      for (const s of stream) o.push(ev(s));
      expect(got).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  });
});
