// An isolate's tokens of one leased throttle (see grant.ts): batches granted by the object,
// each spendable until its own expiry. Pure: the clock is passed in.

interface Lot {
  tokens: number;
  /** When the request that asked for it started: expiry counts from there. */
  startMs: number;
  expiresAtMs: number;
  /** The runtime rules it was granted under; other rules make it void. */
  generation: number;
}

/** Tokens taken for one check, which can go back to their lots if the check is denied. */
export type Taken = { lot: Lot; tokens: number }[];

export class Allowance {
  private lots: Lot[] = [];
  /**
   * What the bucket held beyond this isolate's grants and the reserve, at the last grant:
   * with the tokens held here, the `remaining` a check reports (an estimate, as of then).
   */
  bucketLeft = 0;
  /**
   * When the last answer to a grant found the bucket short (refused, or less than a quarter
   * of what may be granted left beyond it), if it did: the key was at or near its limit.
   */
  private scarceSinceMs: number | undefined;
  /** Tokens spent in the current and the previous lease's life, to size the next grant. */
  private spent = { sinceMs: 0, now: 0, before: 0 };

  /** Adds a granted batch; expiry counts from the start of the request that asked for it. */
  add(tokens: number, startMs: number, leaseMs: number, generation: number): void {
    if (tokens > 0) this.lots.push({ tokens, startMs, expiresAtMs: startMs + leaseMs, generation });
  }

  /**
   * Takes `cost` tokens, oldest lot first, or nothing when the live lots hold fewer. A lot past
   * its expiry, from other rules, or started after `nowMs` (a clock stepped back) is dropped.
   */
  take(cost: number, nowMs: number, generation: number, leaseMs: number): Taken | undefined {
    this.lots = this.lots.filter(
      (lot) =>
        lot.tokens > 0 &&
        nowMs < lot.expiresAtMs &&
        lot.startMs <= nowMs &&
        lot.generation === generation,
    );
    if (this.held() < cost) return undefined;
    const taken: Taken = [];
    let owed = cost;
    for (const lot of this.lots) {
      const tokens = Math.min(owed, lot.tokens);
      if (tokens === 0) continue;
      lot.tokens -= tokens;
      taken.push({ lot, tokens });
      owed -= tokens;
      if (owed === 0) break;
    }
    this.count(cost, nowMs, leaseMs);
    return taken;
  }

  /** Whether the bucket, as a grant's answer saw it at `askedAtMs`, was short. */
  sawBucket(short: boolean, askedAtMs: number): void {
    this.scarceSinceMs = short ? askedAtMs : undefined;
  }

  /** Whether the key was seen near its limit within the last lease's life: it may refill. */
  scarceAt(nowMs: number, leaseMs: number): boolean {
    return this.scarceSinceMs !== undefined && nowMs - this.scarceSinceMs < leaseMs;
  }

  /**
   * Puts tokens back into the lots they came from, where those have not expired, and off
   * what was spent: a check another policy denied did not use them.
   */
  giveBack(taken: Taken, nowMs: number): void {
    for (const { lot, tokens } of taken) {
      if (nowMs < lot.expiresAtMs) lot.tokens += tokens;
      this.spent.now = Math.max(0, this.spent.now - tokens);
    }
  }

  held(): number {
    return this.lots.reduce((sum, lot) => sum + lot.tokens, 0);
  }

  /**
   * Whether to ask for the next grant now, before this one runs out: once what is held is
   * down to what half a lease's life takes lately, so a round trip shorter than that finds
   * the next grant here before the last token is spent.
   */
  low(nowMs: number, leaseMs: number): boolean {
    this.count(0, nowMs, leaseMs);
    // Only for a key spent in the last lease's life as well as this one: tokens asked early
    // for a key checked now and then would expire unspent.
    if (this.spent.before === 0) return false;
    return 2 * this.held() < Math.max(this.spent.now, this.spent.before);
  }

  /** What to ask for next: about twice what one lease's life took lately, `cost` at least. */
  want(cost: number, nowMs: number, leaseMs: number): number {
    this.count(0, nowMs, leaseMs);
    return Math.max(cost, 2 * Math.max(this.spent.now, this.spent.before));
  }

  private count(tokens: number, nowMs: number, leaseMs: number): void {
    if (nowMs - this.spent.sinceMs >= 2 * leaseMs)
      this.spent = { sinceMs: nowMs, now: 0, before: 0 };
    else if (nowMs - this.spent.sinceMs >= leaseMs) {
      this.spent = { sinceMs: nowMs, now: 0, before: this.spent.now };
    }
    this.spent.now += tokens;
  }
}
