import { decide, remainingUnconsumed } from "../core/limits.ts";
import type { BatchOutcome, CheckItem } from "./protocol.ts";
import type { StateStore } from "./store.ts";

/**
 * Decides the items of one object's call and keeps what they consumed: all or nothing, as
 * every enforced item must admit for any of them to consume. Synchronous, like every write
 * of the object, so the call stays atomic.
 */
export function decideBatch(store: StateStore, items: CheckItem[], nowMs: number): BatchOutcome {
  const decisions = items.map((item) => decide(item.limit, store.get(item.stateKey), item, nowMs));
  const admitted = items.every((item, i) => !item.enforce || decisions[i]?.allowed);
  items.forEach((item, i) => {
    const decision = decisions[i] as (typeof decisions)[number];
    if (admitted && decision.allowed) {
      store.put(item.stateKey, decision.next, decision.recoverAtMs, nowMs);
    } else if (!decision.allowed) {
      store.extendRecovery(item.stateKey, decision.recoverAtMs, nowMs);
    }
  });
  return {
    admitted,
    items: decisions.map((d, i) => ({
      allowed: d.allowed,
      quota: d.quota,
      // A denied batch consumed nothing, so report what is left as it stands.
      remaining: admitted ? d.remaining : remainingUnconsumed(items[i] as CheckItem, d),
      retryAfterMs: d.retryAfterMs,
      resetMs: d.resetMs,
      receipt: admitted && d.allowed ? d.receipt : undefined,
    })),
  };
}
