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
}

export interface ThrottleReceipt {
  units: number;
}

const unitsPerToken = (limit: ThrottleLimit): number => limit.refillSeconds * 1000;

function levelAt(limit: ThrottleLimit, state: ThrottleState | undefined, nowMs: number): number {
  const perToken = unitsPerToken(limit);
  const capacityUnits = limit.capacity * perToken;
  if (state === undefined) return capacityUnits;
  // Rounded down so that a changed policy never hands out a fraction more than it had.
  const units =
    state.unitsPerToken === perToken
      ? state.units
      : Math.floor((state.units / state.unitsPerToken) * perToken);
  // A clock that steps backwards refills nothing rather than something.
  const elapsedMs = Math.max(0, nowMs - state.atMs);
  return Math.min(capacityUnits, units + elapsedMs * limit.refillTokens);
}

function describe(
  limit: ThrottleLimit,
  level: number,
  nowMs: number,
): Pick<Decision<ThrottleState>, "remaining" | "resetMs" | "recoverAtMs" | "limit"> {
  const perToken = unitsPerToken(limit);
  const resetMs = ceilDiv(limit.capacity * perToken - level, limit.refillTokens);
  return {
    limit: limit.capacity,
    remaining: Math.floor(level / perToken),
    resetMs,
    recoverAtMs: nowMs + resetMs,
  };
}

function stateFor(limit: ThrottleLimit, level: number, nowMs: number): ThrottleState | undefined {
  const perToken = unitsPerToken(limit);
  if (level >= limit.capacity * perToken) return undefined;
  return { units: level, atMs: nowMs, unitsPerToken: perToken };
}

export function throttleDecide(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  cost: number,
  nowMs: number,
): Decision<ThrottleState, ThrottleReceipt> {
  const level = levelAt(limit, state, nowMs);
  const costUnits = cost * unitsPerToken(limit);
  if (level < costUnits) {
    return {
      allowed: false,
      retryAfterMs: ceilDiv(costUnits - level, limit.refillTokens),
      next: state,
      ...describe(limit, level, nowMs),
    };
  }
  const after = level - costUnits;
  return {
    allowed: true,
    retryAfterMs: 0,
    next: stateFor(limit, after, nowMs),
    receipt: { units: costUnits },
    ...describe(limit, after, nowMs),
  };
}

/** Gives back what an admission consumed; never more than the bucket holds. */
export function throttleRefund(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  receipt: ThrottleReceipt,
  nowMs: number,
): ThrottleState | undefined {
  const capacityUnits = limit.capacity * unitsPerToken(limit);
  const level = Math.min(capacityUnits, levelAt(limit, state, nowMs) + receipt.units);
  return stateFor(limit, level, nowMs);
}
