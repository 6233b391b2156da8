import { ceilDiv, type Decision } from "./decision.ts";

/** A token bucket: `capacity` tokens, refilled by `refillTokens` every `refillSeconds`. */
export interface ThrottleLimit {
  kind: "throttle";
  capacity: number;
  refillTokens: number;
  refillSeconds: number;
}

/**
 * Tokens are kept in integer units of 1/refillMs of a token, in which the bucket refills by
 * exactly `refillTokens` units per millisecond. Integer arithmetic is what makes the bound
 * "admitted ≤ capacity + refill × elapsed" exact instead of exact-up-to-rounding.
 */
export interface ThrottleState {
  /** Token level in units. */
  units: number;
  /** Time of the level. */
  atMs: number;
  /** Units per token the level was written in; a policy change rescales it safely. */
  unitsPerToken: number;
  /**
   * Tokens the bucket held when full, when the level was written: what it was short of full
   * carries over to a changed limit. Absent in states written before it was kept.
   */
  capacity?: number;
}

/** Units an admission consumed. */
export type ThrottleReceipt = number;

const unitsPerToken = (limit: ThrottleLimit): number => limit.refillSeconds * 1000;

/**
 * The level a state stands at under `limit`. Under a changed limit, what the bucket was short
 * of full carries over (down to an empty bucket): what was consumed stays consumed, so a
 * raised capacity frees its extra tokens at once and a lowered one takes them away at once,
 * as a window's log does.
 * Rounded towards the smaller level, so a change never hands out a fraction more.
 */
function unitsUnder(limit: ThrottleLimit, state: ThrottleState): number {
  if (writtenUnder(limit, state)) return state.units;
  // In integers: a float product may round a unit the wrong way. Runs only after a change.
  const perToken = BigInt(unitsPerToken(limit));
  const writtenPerToken = BigInt(state.unitsPerToken);
  if (state.capacity === undefined) {
    return Number((BigInt(state.units) * perToken) / writtenPerToken);
  }
  const shortUnits = BigInt(state.capacity) * writtenPerToken - BigInt(state.units);
  const shortNow = (shortUnits * perToken + writtenPerToken - 1n) / writtenPerToken;
  // At worst an empty bucket: a debt past the new capacity would lock a subject out for
  // longer than the new limit itself ever could.
  const units = BigInt(limit.capacity) * perToken - shortNow;
  return units > 0n ? Number(units) : 0;
}

/** Whether `state` was written under `limit`, so its units mean the same tokens. */
function writtenUnder(limit: ThrottleLimit, state: ThrottleState): boolean {
  return (
    state.unitsPerToken === unitsPerToken(limit) &&
    (state.capacity ?? limit.capacity) === limit.capacity
  );
}

function levelAt(limit: ThrottleLimit, state: ThrottleState | undefined, nowMs: number): number {
  const capacityUnits = limit.capacity * unitsPerToken(limit);
  if (state === undefined) return capacityUnits;
  const units = unitsUnder(limit, state);
  // A clock that steps backwards refills nothing rather than something.
  const elapsedMs = Math.max(0, nowMs - state.atMs);
  return Math.min(capacityUnits, units + elapsedMs * limit.refillTokens);
}

function stateFor(limit: ThrottleLimit, level: number, nowMs: number): ThrottleState | undefined {
  const perToken = unitsPerToken(limit);
  if (level >= limit.capacity * perToken) return undefined;
  return { units: level, atMs: nowMs, unitsPerToken: perToken, capacity: limit.capacity };
}

// One object per decision, built in place: this runs on every check.
export function throttleDecide(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  cost: number,
  nowMs: number,
): Decision<ThrottleState, ThrottleReceipt> {
  const perToken = unitsPerToken(limit);
  const capacityUnits = limit.capacity * perToken;
  const level = levelAt(limit, state, nowMs);
  const costUnits = cost * perToken;
  const allowed = level >= costUnits;
  const after = allowed ? level - costUnits : level;
  const resetMs = ceilDiv(capacityUnits - after, limit.refillTokens);
  return {
    allowed,
    quota: limit.capacity,
    remaining: Math.floor(after / perToken),
    retryAfterMs: allowed ? 0 : ceilDiv(costUnits - level, limit.refillTokens),
    resetMs,
    next: allowed ? stateFor(limit, after, nowMs) : state,
    recoverAtMs: nowMs + resetMs,
    receipt: allowed ? costUnits : undefined,
  };
}

/**
 * Gives back what an admission consumed; never more than the bucket holds. A state written
 * since under another limit keeps the charge: the receipt's units are the old limit's, and
 * a refund that cannot be given back exactly must err towards denying.
 */
export function throttleRefund(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  receipt: ThrottleReceipt,
  nowMs: number,
): ThrottleState | undefined {
  if (state !== undefined && !writtenUnder(limit, state)) return state;
  const capacityUnits = limit.capacity * unitsPerToken(limit);
  const level = Math.min(capacityUnits, levelAt(limit, state, nowMs) + receipt);
  return stateFor(limit, level, nowMs);
}
