import { ceilDiv } from "./decision.ts";
import { type ThrottleLimit, type ThrottleState, throttleDecide } from "./throttle.ts";

// Hot keys: isolates take a throttle's tokens in batches (grants) and spend them locally.
// A token granted at g is spent by g + leaseMs, and a grant never takes the bucket below what
// refills in one lease's life, so in any interval d: admitted <= capacity + rate × d, exactly.

/**
 * How long granted tokens may be spent: a second at most, and no longer than the bucket takes
 * to refill a quarter of itself, so the tokens grants leave behind cost at most a quarter of
 * the burst.
 */
export function leaseMs(limit: ThrottleLimit): number {
  const quarterRefillMs = Math.floor(
    (limit.capacity * limit.refillSeconds * 1000) / (4 * limit.refillTokens),
  );
  return Math.max(1, Math.min(1000, quarterRefillMs));
}

/** Units a grant leaves in the bucket: what refills while granted tokens may be spent. */
const reserveUnits = (limit: ThrottleLimit): number => limit.refillTokens * leaseMs(limit);

/**
 * The smallest bucket a leased throttle may have. The reserve is never granted, so a bucket
 * of one token would never grant; from 4 up, at least three quarters of it can be.
 */
export const MIN_LEASED_CAPACITY = 4;

/**
 * Why `limit` cannot be leased, or undefined when it can. A lease lives a whole millisecond at
 * least, so a bucket that refills more than a quarter of itself in one would keep most or all
 * of itself as its reserve (and, from a whole bucket a millisecond, grant nothing at all).
 */
export function leaseProblem(limit: ThrottleLimit): string | undefined {
  if (limit.capacity < MIN_LEASED_CAPACITY) {
    return `needs a bucket of at least ${MIN_LEASED_CAPACITY} tokens (got ${limit.capacity}): grants leave what refills in a lease's life in the bucket`;
  }
  if (4 * limit.refillTokens > limit.capacity * limit.refillSeconds * 1000) {
    const perMs = limit.refillTokens / (limit.refillSeconds * 1000);
    return (
      `needs a bucket of at least 4 ms of refill (got ${limit.capacity} tokens, refilling ` +
      `${Number(perMs.toFixed(3))} a millisecond): a lease lives a millisecond at least, and ` +
      "grants leave what refills in it in the bucket"
    );
  }
  return undefined;
}

/** The most one check may cost under a leased throttle: the bucket less its reserve. */
export function leasedMaxCost(limit: ThrottleLimit): number {
  const perToken = limit.refillSeconds * 1000;
  return Math.floor((limit.capacity * perToken - reserveUnits(limit)) / perToken);
}

export interface Grant {
  /** Tokens handed out, consumed here; 0 when refused. */
  granted: number;
  /** When refused: when `cost` tokens will be there to grant. */
  retryAfterMs: number;
  /** Whole tokens left in the bucket, the reserve included. */
  remaining: number;
  resetMs: number;
  next: ThrottleState | undefined;
  recoverAtMs: number;
}

/**
 * Grants up to `want` tokens, at least `cost`, never more than a quarter of what is there to
 * grant (so one isolate cannot take it all) unless `cost` needs more; refused when `cost`
 * does not fit above the reserve.
 */
export function throttleGrant(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  want: number,
  cost: number,
  nowMs: number,
): Grant {
  const perToken = limit.refillSeconds * 1000;
  const probe = throttleDecide(limit, state, 0, nowMs);
  const levelUnits = probe.remaining * perToken;
  const available = Math.floor(Math.max(0, levelUnits - reserveUnits(limit)) / perToken);
  if (available < cost) {
    const neededUnits = reserveUnits(limit) + cost * perToken - levelUnits;
    // Below empty (a debt carried over from another limit), first the wait to empty.
    const toEmptyMs = probe.allowed ? 0 : probe.retryAfterMs;
    return {
      granted: 0,
      retryAfterMs: Math.max(1, toEmptyMs + ceilDiv(neededUnits, limit.refillTokens)),
      remaining: probe.remaining,
      resetMs: probe.resetMs,
      next: state,
      recoverAtMs: probe.recoverAtMs,
    };
  }
  const granted = Math.min(available, Math.max(cost, Math.min(want, Math.floor(available / 4))));
  const decision = throttleDecide(limit, state, granted, nowMs);
  return {
    granted,
    retryAfterMs: 0,
    remaining: decision.remaining,
    resetMs: decision.resetMs,
    next: decision.next,
    recoverAtMs: decision.recoverAtMs,
  };
}
