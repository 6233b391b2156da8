import type { Decision } from "./decision.ts";

/** At most `maxLeases` held at once; a lease never released expires after `ttlSeconds`. */
export interface ConcurrencyLimit {
  kind: "concurrency";
  maxLeases: number;
  ttlSeconds: number;
}

/** Lease id → expiry. */
export interface ConcurrencyState {
  leases: Record<string, number>;
}

function live(state: ConcurrencyState | undefined, nowMs: number): Map<string, number> {
  const leases = new Map<string, number>();
  for (const [id, expiresAtMs] of Object.entries(state?.leases ?? {})) {
    if (expiresAtMs > nowMs) leases.set(id, expiresAtMs);
  }
  return leases;
}

function stateOf(leases: Map<string, number>): ConcurrencyState | undefined {
  return leases.size === 0 ? undefined : { leases: Object.fromEntries(leases) };
}

function summary(limit: ConcurrencyLimit, leases: Map<string, number>, nowMs: number) {
  const latest = Math.max(nowMs, ...leases.values());
  return {
    quota: limit.maxLeases,
    remaining: Math.max(0, limit.maxLeases - leases.size),
    resetMs: latest - nowMs,
    recoverAtMs: latest,
  };
}

export type AcquireDecision = Decision<ConcurrencyState> & { expiresAtMs?: number };

/** Takes a lease named `leaseId` (chosen by the caller, so this stays pure). */
export function concurrencyAcquire(
  limit: ConcurrencyLimit,
  state: ConcurrencyState | undefined,
  leaseId: string,
  nowMs: number,
): AcquireDecision {
  const leases = live(state, nowMs);
  if (leases.size >= limit.maxLeases) {
    // A release may free a slot sooner; the earliest expiry is when one is sure to be free.
    const soonest = Math.min(...leases.values());
    return {
      allowed: false,
      retryAfterMs: soonest - nowMs,
      next: state,
      ...summary(limit, leases, nowMs),
    };
  }
  const expiresAtMs = nowMs + limit.ttlSeconds * 1000;
  leases.set(leaseId, expiresAtMs);
  return {
    allowed: true,
    retryAfterMs: 0,
    next: stateOf(leases),
    expiresAtMs,
    ...summary(limit, leases, nowMs),
  };
}

/** Returns a lease. `released` is false for a lease unknown or already expired. */
export function concurrencyRelease(
  limit: ConcurrencyLimit,
  state: ConcurrencyState | undefined,
  leaseId: string,
  nowMs: number,
): { released: boolean; next: ConcurrencyState | undefined; recoverAtMs: number } {
  const leases = live(state, nowMs);
  const released = leases.delete(leaseId);
  return {
    released,
    next: stateOf(leases),
    recoverAtMs: summary(limit, leases, nowMs).recoverAtMs,
  };
}

/**
 * Extends a live lease to `ttlSeconds` from now, at most the limit's own ttl, and never
 * shortens it. `expiresAtMs` is undefined for a lease unknown, released or expired: a lease
 * that has lapsed may already have gone to someone else, so it is never revived.
 */
export function concurrencyRenew(
  limit: ConcurrencyLimit,
  state: ConcurrencyState | undefined,
  leaseId: string,
  ttlSeconds: number,
  nowMs: number,
): { expiresAtMs?: number; next: ConcurrencyState | undefined; recoverAtMs: number } {
  const leases = live(state, nowMs);
  const current = leases.get(leaseId);
  if (current === undefined) {
    return { next: state, recoverAtMs: summary(limit, leases, nowMs).recoverAtMs };
  }
  const expiresAtMs = Math.max(current, nowMs + Math.min(ttlSeconds, limit.ttlSeconds) * 1000);
  leases.set(leaseId, expiresAtMs);
  return {
    expiresAtMs,
    next: stateOf(leases),
    recoverAtMs: summary(limit, leases, nowMs).recoverAtMs,
  };
}
