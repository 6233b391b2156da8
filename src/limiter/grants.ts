import { Allowance, type Taken } from "../core/allowance.ts";
import { leasedMaxCost, leaseMs } from "../core/grant.ts";
import type { ThrottleLimit } from "../core/throttle.ts";
import { ABANDONED_MARGIN_MS, waitForShared } from "../platform/shared-wait.ts";
import type { SubjectObjects } from "./objects.ts";

/** Keys whose allowances one isolate keeps; past it, the least recently used goes. */
export const MAX_LEASED_KEYS = 10_000;

export type Spent =
  | { allowed: true; taken: Taken; remaining: number }
  | {
      allowed: false;
      retryAfterMs: number;
      remaining: number;
      resetMs: number;
      /** Denied while a grant was on its way that may admit it: not to be remembered. */
      provisional?: true;
    };

/** One check's leased policy, as `spend` asks for it: what every grant call for it needs. */
interface Asking {
  stateKey: string;
  subjectKey: string;
  limit: ThrottleLimit;
  cost: number;
  /** The rules the limit comes from (see `spend`). */
  generation: number;
  lifeMs: number;
}

/**
 * The isolate's side of hot-key leases: for each leased state key, tokens granted by its
 * object in batches, spent here without a call. One grant in flight per key: checks that
 * find the allowance short wait for it rather than each asking.
 */
export class TokenGrants {
  private readonly allowances = new Map<string, Allowance>();
  /** The grant asked for each key, by whichever check found the allowance short first. */
  private readonly inflight = new Map<
    string,
    { asked: Promise<number | undefined>; startMs: number }
  >();
  private readonly refused = new Map<
    string,
    Spent & { allowed: false; untilMs: number; cost: number }
  >();
  /** What the checks waiting for a key's grant in flight will take: the next grant's share. */
  private readonly waiting = new Map<string, number>();
  private readonly objects: SubjectObjects;
  private readonly clock: () => number;
  private readonly generation: () => number;
  private readonly background: ((work: Promise<unknown>) => void) | undefined;

  constructor(
    objects: SubjectObjects,
    clock: () => number,
    generation: () => number,
    /** Keeps an early grant alive past its request; without it, grants are asked when out. */
    background?: (work: Promise<unknown>) => void,
  ) {
    this.objects = objects;
    this.clock = clock;
    this.generation = generation;
    this.background = background;
  }

  /**
   * Spends `cost` of a leased policy's tokens, asking its object for more when short.
   * `limit` is the one in force in the rules of `generation`: once other rules apply, it is
   * never asked for (the object would carry its state back to it), nor is a refusal under it
   * remembered.
   */
  async spend(
    stateKey: string,
    subjectKey: string,
    limit: ThrottleLimit,
    cost: number,
    generation: number,
  ): Promise<Spent> {
    const lifeMs = leaseMs(limit);
    const asking: Asking = { stateKey, subjectKey, limit, cost, generation, lifeMs };
    const firstMs = this.clock();
    // Checks that find the allowance short wait for the grant in flight, then for the next
    // one, which asks for what they wait for too: each grant takes tokens from the bucket, or
    // is refused and remembered, so this ends. A check still short a lease's life on (others
    // kept taking what was granted) is denied once, nothing consumed for it.
    // What the bucket held beyond the grant this check last saw settle, if one did.
    let leftAfterGrant: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const allowance = this.allowance(stateKey);
      const nowMs = this.clock();
      const taken = allowance.take(cost, nowMs, generation, lifeMs);
      if (taken) {
        // Not from a check that just asked: a key checked now and then would ask twice a check.
        if (attempt === 0 && generation === this.generation() && allowance.low(nowMs, lifeMs)) {
          this.askEarly(asking, allowance);
        }
        return { allowed: true, taken, remaining: allowance.held() + allowance.bucketLeft };
      }
      // Over the limit, grants come back short, never refused: a check the bucket could not
      // cover beyond the grant it waited for is denied now, not after several more.
      if (leftAfterGrant !== undefined && leftAfterGrant < cost) {
        return dryDenial(limit, cost, leftAfterGrant);
      }
      const refused = this.refused.get(stateKey);
      // A refusal holds for its cost and more: a cheaper check may still be granted.
      if (refused && refused.untilMs > nowMs && cost >= refused.cost) {
        const { remaining, resetMs, untilMs } = refused;
        return { allowed: false, retryAfterMs: untilMs - nowMs, remaining, resetMs };
      }
      if (attempt >= 3 && nowMs - firstMs >= lifeMs) break;
      // Planned under rules since replaced: denied once, nothing consumed for it.
      if (generation !== this.generation()) break;
      const abandonedAfterMs = this.objects.budgetMs + ABANDONED_MARGIN_MS;
      let pending = this.inflight.get(stateKey);
      // Past its call's budget, a grant still in flight belongs to a request that is gone
      // (src/platform/shared-wait.ts): it never settles, and this check asks anew.
      if (pending && nowMs - pending.startMs > abandonedAfterMs) {
        this.inflight.delete(stateKey);
        pending = undefined;
      }
      // At the limit, most checks must be denied: those the isolate cannot cover now are,
      // at once, rather than each waiting a round trip for a grant that covers few of them.
      if (pending && allowance.scarceAt(nowMs, lifeMs)) {
        return scarceDenial(limit, cost, lifeMs, allowance.bucketLeft);
      }
      if (pending) {
        this.waiting.set(stateKey, (this.waiting.get(stateKey) ?? 0) + cost);
        try {
          const waited = await waitForShared(pending.asked, abandonedAfterMs);
          if (waited.settled) leftAfterGrant = waited.value;
          else if (this.inflight.get(stateKey) === pending) this.inflight.delete(stateKey);
        } finally {
          const left = (this.waiting.get(stateKey) ?? 0) - cost;
          if (left > 0) this.waiting.set(stateKey, left);
          else this.waiting.delete(stateKey);
        }
        continue;
      }
      leftAfterGrant = await this.inFlight(stateKey, this.ask(asking, allowance));
    }
    return { allowed: false, retryAfterMs: 1, remaining: 0, resetMs: 0 };
  }

  /** `asked` as the key's grant in flight until it settles. */
  private async inFlight(
    stateKey: string,
    asked: Promise<number | undefined>,
  ): Promise<number | undefined> {
    const entry = { asked, startMs: this.clock() };
    this.inflight.set(stateKey, entry);
    try {
      return await asked;
    } finally {
      if (this.inflight.get(stateKey) === entry) this.inflight.delete(stateKey);
    }
  }

  /**
   * Asks for the next grant while this one still admits, kept alive past the request. Its
   * tokens expire a lease's life after it was asked, like any grant's; what an isolate holds
   * unspent is still at most about one grant.
   */
  private askEarly(asking: Asking, allowance: Allowance): void {
    const { stateKey } = asking;
    if (this.background === undefined || this.inflight.has(stateKey)) return;
    // A refusal still in force answers the same: asking again only loads the object.
    if ((this.refused.get(stateKey)?.untilMs ?? 0) > this.clock()) return;
    // A failure here is the next check's to meet, when it asks itself.
    this.background(this.inFlight(stateKey, this.ask(asking, allowance)).catch(() => undefined));
  }

  /** Puts a denied check's tokens back, where their lots have not expired. */
  giveBack(stateKey: string, taken: Taken): void {
    this.allowances.get(stateKey)?.giveBack(taken, this.clock());
  }

  /** Forgets a refusal of `stateKey`: its state was reset. */
  forget(stateKey: string): void {
    this.refused.delete(stateKey);
  }

  /** Forgets every allowance: the rules they were granted under have changed. */
  clear(): void {
    this.allowances.clear();
    this.refused.clear();
  }

  private async ask(asking: Asking, allowance: Allowance): Promise<number | undefined> {
    const { stateKey, subjectKey, limit, cost, generation, lifeMs } = asking;
    const startMs = this.clock();
    const want = Math.max(
      allowance.want(cost, startMs, lifeMs),
      cost + (this.waiting.get(stateKey) ?? 0),
    );
    const outcome = await this.objects.grant(subjectKey, { stateKey, limit, want, cost });
    // Whole tokens a check could still be granted: the reserve is never handed out.
    const left = Math.max(0, outcome.remaining - (limit.capacity - leasedMaxCost(limit)));
    // What the bucket holds says nothing of rules that replaced the ones asked under.
    if (generation !== this.generation()) return undefined;
    allowance.sawBucket(outcome.granted === 0 || 4 * left < leasedMaxCost(limit), startMs);
    if (outcome.granted > 0) {
      allowance.add(outcome.granted, startMs, lifeMs, generation);
      allowance.bucketLeft = left;
      return left;
    }
    // Refused: remembered as a denial at most one lease's life, a little past the object's
    // own horizon when refill is slow, so a flood at the limit asks the object rarely.
    const waitMs = Math.max(outcome.retryAfterMs, Math.min(lifeMs, outcome.retryAfterMs * 4));
    if (this.refused.size >= MAX_LEASED_KEYS) this.refused.clear();
    this.refused.set(stateKey, {
      allowed: false,
      retryAfterMs: waitMs,
      remaining: left,
      resetMs: outcome.resetMs,
      untilMs: startMs + waitMs,
      cost,
    });
    return undefined;
  }

  private allowance(stateKey: string): Allowance {
    let allowance = this.allowances.get(stateKey);
    if (allowance === undefined) {
      if (this.allowances.size >= MAX_LEASED_KEYS) {
        const oldest = this.allowances.keys().next().value;
        if (oldest !== undefined) this.allowances.delete(oldest);
      }
      allowance = new Allowance();
    } else {
      this.allowances.delete(stateKey);
    }
    // Re-inserted: the map's order is the order of last use.
    this.allowances.set(stateKey, allowance);
    return allowance;
  }
}

/**
 * A check denied near the limit while the next grant is on its way: it may be admitted as
 * soon as that grant is back, so it is told to come back once `cost` has refilled (a lease's
 * life at most), and the isolate does not remember the denial.
 */
function scarceDenial(limit: ThrottleLimit, cost: number, lifeMs: number, left: number): Spent {
  return {
    allowed: false,
    retryAfterMs: Math.min(lifeMs, refillMs(limit, cost)),
    remaining: left,
    resetMs: refillMs(limit, limit.capacity - left),
    provisional: true,
  };
}

/** A check the bucket beyond its grants cannot cover: back once `cost` has refilled. */
function dryDenial(limit: ThrottleLimit, cost: number, left: number): Spent {
  return {
    allowed: false,
    retryAfterMs: refillMs(limit, cost - left),
    remaining: 0,
    resetMs: refillMs(limit, limit.capacity - left),
  };
}

/** How long `tokens` take to refill, a millisecond at least. */
const refillMs = (limit: ThrottleLimit, tokens: number): number =>
  Math.max(1, Math.ceil((tokens * limit.refillSeconds * 1000) / limit.refillTokens));
