/**
 * Puts one job's events back in seq order and drops repeats. The server numbers every event of a
 * job 1, 2, 3, … with no gaps, so the next event to deliver is always `lastSeq + 1`: anything at or
 * below is a duplicate (e.g. replayed by an attach after a reconnect), anything above is held until
 * the gap before it is filled.
 */
export type PushResult = 'delivered' | 'duplicate' | 'buffered';

export class SeqOrderer<E extends { seq: number }> {
  private last: number;
  private readonly held = new Map<number, E>();

  constructor(
    private readonly deliver: (e: E) => void,
    afterSeq = 0,
  ) {
    this.last = afterSeq;
  }

  /** The highest seq delivered so far (what to put in `after_seq` when attaching again). */
  get lastSeq(): number {
    return this.last;
  }

  /** True while events are held behind a missing one. */
  get hasGap(): boolean {
    return this.held.size > 0;
  }

  /** How many events wait behind a gap. */
  get heldCount(): number {
    return this.held.size;
  }

  push(e: E): PushResult {
    if (!Number.isInteger(e.seq) || e.seq <= this.last) return 'duplicate';
    if (e.seq !== this.last + 1) {
      if (this.held.has(e.seq)) return 'duplicate';
      this.held.set(e.seq, e);
      return 'buffered';
    }
    this.last = e.seq;
    this.deliver(e);
    for (let next = this.held.get(this.last + 1); next; next = this.held.get(this.last + 1)) {
      this.held.delete(next.seq);
      this.last = next.seq;
      this.deliver(next);
    }
    return 'delivered';
  }
}
