/**
 * Feeds a terminal in batches: everything pushed during one animation frame is written at once,
 * at most `maxPerFrame` characters a frame, and no more while the terminal still has more than
 * `highWater` characters it has not rendered (xterm.js's write callback says when it has). So a
 * program printing megabytes keeps the page responsive instead of queueing thousands of writes.
 */
export type Scheduler = (cb: () => void) => void;
export type Writer = (data: string, done: () => void) => void;

/** requestAnimationFrame, with a timer as fallback for hidden tabs (where frames stop). */
export const frameScheduler: Scheduler = (cb) => {
  let ran = false;
  const run = () => {
    if (ran) return;
    ran = true;
    cb();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
  setTimeout(run, 100);
};

export class FrameBatcher {
  private queue: string[] = [];
  private queuedChars = 0;
  private inFlight = 0;
  private scheduled = false;
  private generation = 0;

  constructor(
    private readonly write: Writer,
    private readonly schedule: Scheduler = frameScheduler,
    private readonly maxPerFrame = 256 * 1024,
    private readonly highWater = 512 * 1024,
  ) {}

  get pending(): number {
    return this.queuedChars;
  }

  push(data: string): void {
    if (!data) return;
    this.queue.push(data);
    this.queuedChars += data.length;
    this.kick();
  }

  /** Drop what has not been written yet (the terminal is being cleared). */
  clear(): void {
    this.queue = [];
    this.queuedChars = 0;
    this.generation += 1;
    this.inFlight = 0;
  }

  private kick(): void {
    if (this.scheduled || !this.queuedChars || this.inFlight > this.highWater) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (!this.queuedChars || this.inFlight > this.highWater) return;
    let out = '';
    while (this.queue.length && out.length < this.maxPerFrame) {
      const head = this.queue[0];
      const room = this.maxPerFrame - out.length;
      if (head.length <= room) {
        out += head;
        this.queue.shift();
      } else {
        // never split a surrogate pair
        let cut = room;
        const code = head.charCodeAt(cut - 1);
        if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
        if (cut <= 0) cut = Math.min(2, head.length);
        out += head.slice(0, cut);
        this.queue[0] = head.slice(cut);
      }
    }
    this.queuedChars -= out.length;
    this.inFlight += out.length;
    const gen = this.generation;
    this.write(out, () => {
      if (gen !== this.generation) return;
      this.inFlight -= out.length;
      this.kick();
    });
    this.kick();
  }
}
