import type { Decision } from "../core/decision.ts";
import { type CheckLimit, decide, type LimitState, quotaOf, type Receipt } from "../core/limits.ts";
import type { CheckItem, PerBucket } from "./protocol.ts";
import type { StateStore } from "./store.ts";

/** A new bucket refused: `maxBuckets` others are live, the first to recover in `retryAfterMs`. */
export interface BucketsFull {
  retryAfterMs: number;
}

/**
 * The live buckets of each per-request-bucket policy on one object's subject. Buckets come
 * from requests, so a caller could grow the object without end by naming new ones (and with
 * a `chat` or `global` scope, one caller would grow it for everyone): a policy may hold at
 * most `maxBuckets` buckets that have not yet recovered, and a new one past that is refused.
 * A recovered bucket does not count, whether or not the clean-up has deleted it yet.
 *
 * Kept in memory, at most `maxBuckets` keys per policy; after an eviction it is read back
 * from storage the first time the policy comes again. Nothing extra is written.
 */
export class LiveBuckets {
  private readonly families = new Map<string, Set<string>>();

  /** Undefined when `stateKey` may count; otherwise why not, and for how long. */
  refuse(
    store: StateStore,
    stateKey: string,
    { familyKey, maxBuckets }: PerBucket,
    nowMs: number,
  ): BucketsFull | undefined {
    let live = this.families.get(familyKey);
    if (live === undefined) {
      live = new Set(store.liveKeys(`${familyKey}:r=`, nowMs));
      this.families.set(familyKey, live);
    }
    if (store.has(stateKey, nowMs)) {
      live.add(stateKey);
      return undefined;
    }
    // A new bucket (or one that has recovered): forget what has recovered, then count.
    let firstRecoveryMs = Number.POSITIVE_INFINITY;
    for (const key of live) {
      if (store.has(key, nowMs))
        firstRecoveryMs = Math.min(firstRecoveryMs, store.recoverAtMs(key) ?? 0);
      else live.delete(key);
    }
    if (live.size >= maxBuckets) return { retryAfterMs: Math.max(1, firstRecoveryMs - nowMs) };
    // Counted from now on; if its check is denied after all, it is not stored, and goes at
    // the next count.
    live.add(stateKey);
    return undefined;
  }
}

/** What the object decided for one item: by its limit, or refused as one bucket too many. */
export type ItemDecision = Decision<LimitState, Receipt> & { bucketsFull?: true };

/** A refused bucket's decision: nothing consumed, nothing stored, when a bucket recovers. */
function bucketsFullDecision(limit: CheckLimit, { retryAfterMs }: BucketsFull): ItemDecision {
  return {
    allowed: false,
    quota: quotaOf(limit).quota,
    remaining: 0,
    retryAfterMs,
    resetMs: retryAfterMs,
    next: undefined,
    // Nothing is stored for it, so there is no recovery for a denial to extend.
    recoverAtMs: 0,
    bucketsFull: true,
  };
}

/** Decides one item of a check; a new bucket past its policy's bound before its limit. */
export function decideItem(
  buckets: LiveBuckets,
  store: StateStore,
  item: CheckItem,
  nowMs: number,
): ItemDecision {
  const full = item.perBucket && buckets.refuse(store, item.stateKey, item.perBucket, nowMs);
  if (full) return bucketsFullDecision(item.limit, full);
  return decide(item.limit, store.get(item.stateKey), item, nowMs);
}
