/**
 * Remembers recent denials so a flood on one subject is answered without its Durable Object.
 *
 * Sound because a denial is a promise about the future: a check denied with retry-after R at
 * time T cannot be admitted before T + R, and neither can the same check at a higher cost
 * (a bucket or window that cannot fit cost c cannot fit more). So a repeat before T + R, at
 * the same or a higher cost, gets the same answer from here. Only denials are kept, never
 * admissions, and T is taken before the object was asked, so the cached horizon is never
 * later than the object's own: the cache can only repeat a denial the object would give.
 *
 * Bounded: at most `maxEntries`; past that, expired entries go first, then the oldest.
 */
export class DenialCache<Result> {
  private readonly entries = new Map<string, { cost: number; untilMs: number; result: Result }>();
  private readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  /** The cached denial for `key` at `cost`, with how long it still holds. */
  get(
    key: string,
    cost: number,
    nowMs: number,
  ): { result: Result; remainingMs: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.untilMs <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    if (cost < entry.cost) return undefined;
    return { result: entry.result, remainingMs: entry.untilMs - nowMs };
  }

  /** Records a denial of `key` at `cost` that holds until `untilMs`. */
  set(key: string, cost: number, untilMs: number, result: Result, nowMs: number): void {
    if (untilMs <= nowMs) return;
    const existing = this.entries.get(key);
    // Keep the entry that answers more checks: the lower cost, then the later horizon.
    if (existing && existing.untilMs > nowMs && existing.cost < cost) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict(nowMs);
    this.entries.set(key, { cost, untilMs, result });
  }

  /** Forgets every denial whose key contains `fragment` (a reset of that state). */
  forget(fragment: string): void {
    for (const key of this.entries.keys()) if (key.includes(fragment)) this.entries.delete(key);
  }

  /** Forgets every denial: the limits they were decided under may have changed. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(nowMs: number): void {
    for (const [key, entry] of this.entries) if (entry.untilMs <= nowMs) this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
