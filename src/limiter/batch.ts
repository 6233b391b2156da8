import { carriedOver, type LimitState, remainingUnconsumed, reservation } from "../core/limits.ts";
import { decideItem, type ItemDecision, type LiveBuckets } from "./buckets.ts";
import type { BatchOutcome, CheckItem } from "./protocol.ts";
import type { StateStore } from "./store.ts";

/**
 * Decides the items of one object's call and, when `consume`, keeps what they consumed: all
 * or nothing, as every enforced item must admit for any of them to consume. Synchronous,
 * like every write of the object, so the call stays atomic. Without `consume` (a peek) it
 * writes nothing.
 */
export function decideBatch(
  buckets: LiveBuckets,
  store: StateStore,
  items: CheckItem[],
  nowMs: number,
  consume: boolean,
): BatchOutcome {
  if (consume) for (const item of items) carryOver(store, item, nowMs);
  const decisions = items.map((item) => decideItem(buckets, store, item, nowMs));
  const admitted = items.every((item, i) => !item.enforce || decisions[i]?.allowed);
  if (consume) {
    items.forEach((item, i) => {
      const decision = decisions[i] as (typeof decisions)[number];
      if (admitted && decision.allowed) {
        keep(store, item, decision, nowMs);
      } else {
        // Unchanged, but maybe read under a limit tightened since: never deleted early.
        store.extendRecovery(item.stateKey, decision.recoverAtMs, nowMs);
      }
    });
  }
  return {
    admitted,
    items: decisions.map((d, i) => ({
      allowed: d.allowed,
      quota: d.quota,
      // A denied batch consumed nothing, so report what is left as it stands.
      remaining: admitted ? d.remaining : remainingUnconsumed(items[i] as CheckItem, d),
      retryAfterMs: d.retryAfterMs,
      resetMs: d.resetMs,
      receipt: consume && admitted && d.allowed ? d.receipt : undefined,
      bucketsFull: d.bucketsFull,
    })),
  };
}

/** Keeps an admission: in memory at once, in storage when no reservation covers it yet. */
function keep(store: StateStore, item: CheckItem, decision: ItemDecision, nowMs: number): void {
  const next = decision.next as LimitState | undefined;
  keepAdmission(store, item, next, decision.recoverAtMs, nowMs);
}

/** Keeps what an admission (or a grant) left: memory at once, storage when uncovered. */
export function keepAdmission(
  store: StateStore,
  item: Pick<CheckItem, "stateKey" | "limit">,
  next: LimitState | undefined,
  recoverAtMs: number,
  nowMs: number,
): void {
  const plan = reservation(item.limit, store.stored(item.stateKey), next, recoverAtMs, nowMs);
  if (plan.write) {
    store.putAhead(item.stateKey, next, recoverAtMs, plan.state, plan.recoverAtMs, nowMs);
  } else {
    store.keepAhead(item.stateKey, next, recoverAtMs, nowMs);
  }
}

/**
 * Under a limit changed since storage was written: memory gives up its lead (at most one
 * reservation), and the state carried over to the new limit is stored at once, as of now,
 * so that storage stays the more consumed and nothing is carried over twice.
 */
export function carryOver(
  store: StateStore,
  item: Pick<CheckItem, "stateKey" | "limit">,
  nowMs: number,
): void {
  const carried = carriedOver(item.limit, store.stored(item.stateKey), nowMs);
  if (carried === undefined) return;
  store.put(item.stateKey, carried.state, carried.recoverAtMs, nowMs);
}
