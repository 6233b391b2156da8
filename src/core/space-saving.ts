/**
 * Space-Saving (Metwally, Agrawal, El Abbadi, 2005), with weights: the heaviest items of a
 * stream in at most `capacity` counters.
 *
 * A listed item's `count` is never below its true weight and at most `error` above it;
 * `error` is never more than `total / capacity`. An item that is not listed weighs at most
 * `floor()` (the smallest count, once every counter is taken), which is also never more than
 * `total / capacity`. Both hold because the counts always sum to `total` and the smallest
 * count never decreases: a new item, when every counter is taken, replaces the smallest and
 * inherits its count as its possible error.
 *
 * Feeding one sketch's entries into another as weights keeps both statements for the weights
 * fed; the true weights then differ from the estimates by the sum of each stage's bound (the
 * metrics say so where they chain sketches).
 */
export interface HeavyHitter {
  item: string;
  /** At least the item's weight, and at most `error` above it. */
  count: number;
  error: number;
}

export class SpaceSaving {
  readonly capacity: number;
  private readonly counters = new Map<string, { count: number; error: number }>();
  private weight = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** The weight of everything added. */
  get total(): number {
    return this.weight;
  }

  get size(): number {
    return this.counters.size;
  }

  /** Adds `weight` to `item`, with `error` already carried by that weight (from a sketch). */
  add(item: string, weight = 1, error = 0): void {
    if (!(weight > 0)) return;
    this.weight += weight;
    const counter = this.counters.get(item);
    if (counter !== undefined) {
      counter.count += weight;
      counter.error += error;
      return;
    }
    if (this.counters.size < this.capacity) {
      this.counters.set(item, { count: weight, error });
      return;
    }
    const [smallest, least] = this.smallest();
    this.counters.delete(smallest);
    this.counters.set(item, { count: least.count + weight, error: least.count + error });
  }

  /** Adds another sketch's entries as weights. */
  addAll(entries: Iterable<HeavyHitter>): void {
    for (const { item, count, error } of entries) this.add(item, count, error);
  }

  /** What an item that is not listed weighs at most. */
  floor(): number {
    return this.counters.size < this.capacity ? 0 : this.smallest()[1].count;
  }

  /** The listed items, heaviest first; at most `limit` of them. */
  top(limit = this.capacity): HeavyHitter[] {
    return [...this.counters]
      .map(([item, { count, error }]) => ({ item, count, error }))
      .sort((a, b) => b.count - a.count || (a.item < b.item ? -1 : 1))
      .slice(0, limit);
  }

  // A scan of at most `capacity` counters, only when a new item meets a full sketch.
  private smallest(): [string, { count: number; error: number }] {
    let found: [string, { count: number; error: number }] | undefined;
    for (const entry of this.counters) {
      if (found === undefined || entry[1].count < found[1].count) found = entry;
    }
    return found as [string, { count: number; error: number }];
  }
}
