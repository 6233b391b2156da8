import type { ConcurrencyLimit, ConcurrencyState } from "./concurrency.ts";
import {
  type DebounceLimit,
  type DebounceReceipt,
  type DebounceState,
  debounceDecide,
  debounceRefund,
} from "./debounce.ts";
import type { Decision } from "./decision.ts";
import {
  type ThrottleLimit,
  type ThrottleReceipt,
  type ThrottleState,
  throttleCarriedOver,
  throttleDecide,
  throttleRefund,
  throttleReservation,
  throttleWrittenUnder,
} from "./throttle.ts";
import {
  type WindowLimit,
  type WindowReceipt,
  type WindowState,
  windowDecide,
  windowRefund,
} from "./window.ts";

export type Limit = ThrottleLimit | DebounceLimit | WindowLimit | ConcurrencyLimit;
/** The limits a check can decide; concurrency is taken and returned through leases. */
export type CheckLimit = ThrottleLimit | DebounceLimit | WindowLimit;
export type LimitState = ThrottleState | DebounceState | WindowState | ConcurrencyState;
export type Receipt = ThrottleReceipt | DebounceReceipt | WindowReceipt;

export interface DecideInput {
  cost: number;
  /** Debounce content; absent content debounces as "" (at most one event per window). */
  fingerprint?: string | undefined;
}

// The state's shape always matches the limit's kind: the store keys states by policy name
// and kind, so the casts below only restore what the store erased.
export function decide(
  limit: CheckLimit,
  state: LimitState | undefined,
  input: DecideInput,
  nowMs: number,
): Decision<LimitState, Receipt> {
  switch (limit.kind) {
    case "throttle":
      return throttleDecide(limit, state as ThrottleState | undefined, input.cost, nowMs);
    case "window":
      return windowDecide(limit, state as WindowState | undefined, input.cost, nowMs);
    case "debounce":
      return debounceDecide(
        limit,
        state as DebounceState | undefined,
        input.fingerprint ?? "",
        nowMs,
      );
  }
}

export function refund(
  limit: CheckLimit,
  state: LimitState | undefined,
  receipt: Receipt,
  nowMs: number,
): LimitState | undefined {
  switch (limit.kind) {
    case "throttle":
      return throttleRefund(limit, state as ThrottleState, receipt as ThrottleReceipt, nowMs);
    case "window":
      return windowRefund(state as WindowState, receipt as WindowReceipt);
    case "debounce":
      return debounceRefund(state as DebounceState, receipt as DebounceReceipt, nowMs);
  }
}

/** `remaining` as if an admitted decision had not consumed (its batch was denied). */
export function remainingUnconsumed(
  item: { limit: CheckLimit; cost: number },
  decision: Pick<Decision<unknown>, "allowed" | "remaining">,
): number {
  if (!decision.allowed) return decision.remaining;
  return item.limit.kind === "debounce" ? 1 : decision.remaining + item.cost;
}

/** Quota and window for the rate-limit headers (`q` and `w`). */
export function quotaOf(limit: Limit): { quota: number; windowSeconds: number } {
  switch (limit.kind) {
    case "throttle":
      return {
        quota: limit.capacity,
        windowSeconds: Math.ceil((limit.capacity * limit.refillSeconds) / limit.refillTokens),
      };
    case "window":
      return { quota: limit.maxCost, windowSeconds: limit.windowSeconds };
    case "debounce":
      return { quota: 1, windowSeconds: limit.windowSeconds };
    case "concurrency":
      return { quota: limit.maxLeases, windowSeconds: limit.ttlSeconds };
  }
}

/** The most one request may cost and still be admissible some day. */
export function maxCost(limit: CheckLimit): number {
  switch (limit.kind) {
    case "throttle":
      return limit.capacity;
    case "window":
      return limit.maxCost;
    case "debounce":
      return Number.MAX_SAFE_INTEGER;
  }
}

/**
 * What to store after an admission that left memory at `next`: only a throttle reserves ahead
 * (see `throttleReservation`); every other kind stores each admission as it is.
 */
export function reservation(
  limit: CheckLimit,
  stored: LimitState | undefined,
  next: LimitState | undefined,
  recoverAtMs: number,
  nowMs: number,
): { write: false } | { write: true; state: LimitState | undefined; recoverAtMs: number } {
  if (limit.kind !== "throttle") return { write: true, state: next, recoverAtMs };
  return throttleReservation(
    limit,
    stored as ThrottleState | undefined,
    next as ThrottleState | undefined,
    nowMs,
  );
}

/**
 * Whether `state` was decided under `limit`. Only a throttle's state tells (its units carry
 * the limit); the other kinds keep times and entries that any limit reads alike.
 */
export function writtenUnder(limit: CheckLimit, state: LimitState | undefined): boolean {
  return limit.kind !== "throttle" || state === undefined
    ? true
    : throttleWrittenUnder(limit, state as ThrottleState);
}

/**
 * `state` as the limit in force will keep it from now, when it was decided under another:
 * a throttle's level converted at this instant (see core/throttle.ts); the other kinds keep
 * their times and entries as they are. Undefined when it is written under `limit` already.
 */
export function carriedOver(
  limit: CheckLimit,
  state: LimitState | undefined,
  nowMs: number,
): { state: LimitState | undefined; recoverAtMs: number } | undefined {
  if (writtenUnder(limit, state) || limit.kind !== "throttle") return undefined;
  return throttleCarriedOver(limit, state as ThrottleState, nowMs);
}
