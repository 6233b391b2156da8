// A discrete-event clock for the production model (bench/model.bench-test.ts). Simulated time
// moves only from one scheduled event to the next, never with the machine's clock, so what
// the model measures does not depend on how fast or busy the machine is.
//
// Real work (a call to a real object, a rules fetch) runs while the simulated clock stands
// still: after each instant's events, the loop waits until every piece of real work it was
// told of has settled and every continuation has run, before it moves on.

interface Scheduled {
  atMs: number;
  seq: number;
  run: () => void;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Simulation {
  /** Simulated milliseconds since the run began; whole milliseconds, like Date.now(). */
  nowMs = 0;
  private readonly heap: Scheduled[] = [];
  private seq = 0;
  private realInFlight = 0;

  /** Runs `run` at simulated `atMs` (now, if that has passed). */
  at(atMs: number, run: () => void): void {
    this.push({ atMs: Math.max(this.nowMs, Math.ceil(atMs)), seq: this.seq++, run });
  }

  /** Real work the clock must wait for before it moves. */
  track<T>(work: Promise<T>): Promise<T> {
    this.realInFlight++;
    return work.finally(() => {
      this.realInFlight--;
    });
  }

  /** Runs every event up to `untilMs`, then stands at `untilMs`. */
  async runUntil(untilMs: number): Promise<void> {
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.atMs > untilMs) break;
      this.nowMs = next.atMs;
      while (this.heap[0] !== undefined && this.heap[0].atMs === this.nowMs) {
        this.pop().run();
      }
      await this.settle();
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  /** Runs every event left, however late. */
  async drain(): Promise<void> {
    await this.runUntil(Number.POSITIVE_INFINITY);
  }

  private async settle(): Promise<void> {
    // A continuation that starts real work does so before the next macrotask.
    do await macrotask();
    while (this.realInFlight > 0);
  }

  private push(item: Scheduled): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i] as Scheduled, heap[parent] as Scheduled)) break;
      [heap[i], heap[parent]] = [heap[parent] as Scheduled, heap[i] as Scheduled];
      i = parent;
    }
  }

  private pop(): Scheduled {
    const heap = this.heap;
    const top = heap[0] as Scheduled;
    const last = heap.pop() as Scheduled;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let least = i;
        if (l < heap.length && earlier(heap[l] as Scheduled, heap[least] as Scheduled)) least = l;
        if (r < heap.length && earlier(heap[r] as Scheduled, heap[least] as Scheduled)) least = r;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least] as Scheduled, heap[i] as Scheduled];
        i = least;
      }
    }
    return top;
  }
}

const earlier = (a: Scheduled, b: Scheduled) =>
  a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);

/** A seeded generator of numbers in [0, 1), so runs repeat (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
