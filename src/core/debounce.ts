import type { Decision } from "./decision.ts";
import { hash53 } from "./hash.ts";

/** The same fingerprint again within `windowSeconds` is rejected; a different one passes. */
export interface DebounceLimit {
  kind: "debounce";
  windowSeconds: number;
}

/** Fingerprint hash → when it may pass again. */
export interface DebounceState {
  until: Record<string, number>;
}

export interface DebounceReceipt {
  hash: string;
  untilMs: number;
}

/**
 * Bounds one subject's state. Past it, the fingerprint closest to expiry is forgotten early,
 * so a subject sending more than this many distinct contents within one window could repeat
 * the oldest of them. A documented trade-off for bounded memory and storage.
 */
export const MAX_FINGERPRINTS = 256;

function live(state: DebounceState | undefined, nowMs: number): Map<string, number> {
  const until = new Map<string, number>();
  for (const [hash, untilMs] of Object.entries(state?.until ?? {})) {
    if (untilMs > nowMs) until.set(hash, untilMs);
  }
  return until;
}

function summary(until: Map<string, number>, nowMs: number) {
  const latest = Math.max(nowMs, ...until.values());
  return { resetMs: latest - nowMs, recoverAtMs: latest };
}

function stateOf(until: Map<string, number>): DebounceState | undefined {
  return until.size === 0 ? undefined : { until: Object.fromEntries(until) };
}

export function debounceDecide(
  limit: DebounceLimit,
  state: DebounceState | undefined,
  fingerprint: string,
  nowMs: number,
): Decision<DebounceState, DebounceReceipt> {
  const until = live(state, nowMs);
  const hash = hash53(fingerprint);
  const blockedUntil = until.get(hash);
  if (blockedUntil !== undefined) {
    return {
      allowed: false,
      quota: 1,
      remaining: 0,
      retryAfterMs: blockedUntil - nowMs,
      next: state,
      ...summary(until, nowMs),
    };
  }
  const untilMs = nowMs + limit.windowSeconds * 1000;
  until.set(hash, untilMs);
  while (until.size > MAX_FINGERPRINTS) {
    const soonest = [...until.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
    until.delete(soonest[0]);
  }
  return {
    allowed: true,
    quota: 1,
    remaining: 0,
    retryAfterMs: 0,
    next: stateOf(until),
    receipt: { hash, untilMs },
    ...summary(until, nowMs),
  };
}

export function debounceRefund(
  state: DebounceState | undefined,
  receipt: DebounceReceipt,
  nowMs: number,
): DebounceState | undefined {
  const until = live(state, nowMs);
  if (until.get(receipt.hash) === receipt.untilMs) until.delete(receipt.hash);
  return stateOf(until);
}
