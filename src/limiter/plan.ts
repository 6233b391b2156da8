import type { Policy } from "../config/policy.ts";
import { type CheckLimit, maxCost } from "../core/limits.ts";
import { assertBucketTaken, locate, type Target } from "./locate.ts";
import type { CheckItem } from "./protocol.ts";
import { InputError } from "./request.ts";

/** A check as the limiter decides it: validated identities and bucket, cost and content. */
export interface Decidable extends Target {
  cost: number;
  fingerprint?: string | undefined;
}

/** One policy of a check, and whether and where it counts. */
export type PlannedPolicy =
  | { policy: Policy; status: "disabled" }
  | { policy: Policy; status: "skipped"; reason: string }
  | {
      policy: Policy;
      status: "counted";
      stateKey: string;
      /** Its batch in `CheckPlan.batches`, and its item there. */
      batch: number;
      item: number;
    };

/** The items one object decides together, all or nothing. */
export interface ObjectBatch {
  subjectKey: string;
  items: CheckItem[];
}

export interface CheckPlan {
  policies: PlannedPolicy[];
  batches: ObjectBatch[];
}

function checkLimitOf(policy: Policy, cost: number): CheckLimit {
  if (policy.limit.kind === "concurrency") {
    throw new InputError(
      `policy "${policy.name}" is a concurrency policy: take it with POST /v1/leases, not a check`,
    );
  }
  const most = maxCost(policy.limit);
  if (cost > most) {
    throw new InputError(
      `cost ${cost} exceeds the capacity ${most} of policy "${policy.name}", so it could never be admitted`,
    );
  }
  return policy.limit;
}

/**
 * Plans a check: which policies count, under which keys, and which object decides each. The
 * policies of one subject travel to its object in one batch, which is what makes them all
 * or nothing there. A policy named twice is planned once: decided twice in one batch, it
 * would be counted once but reported twice.
 */
export function planCheck(app: string, policies: Policy[], request: Decidable): CheckPlan {
  const unique = [...new Map(policies.map((policy) => [policy.name, policy])).values()];
  assertBucketTaken(unique, request.bucket);
  const batches: ObjectBatch[] = [];
  const batchOf = new Map<string, ObjectBatch>();
  const planned = unique.map((policy): PlannedPolicy => {
    const limit = checkLimitOf(policy, request.cost);
    if (!policy.enabled) return { policy, status: "disabled" };
    const located = locate(app, policy, request);
    if (!located.ok) {
      return { policy, status: "skipped", reason: `needs ${located.missing.join(" and ")}` };
    }
    let batch = batchOf.get(located.subjectKey);
    if (batch === undefined) {
      batch = { subjectKey: located.subjectKey, items: [] };
      batchOf.set(located.subjectKey, batch);
      batches.push(batch);
    }
    batch.items.push({
      stateKey: located.stateKey,
      limit,
      enforce: policy.mode === "enforce",
      cost: request.cost,
      fingerprint: request.fingerprint,
      perBucket: located.perBucket,
    });
    return {
      policy,
      status: "counted",
      stateKey: located.stateKey,
      batch: batches.indexOf(batch),
      item: batch.items.length - 1,
    };
  });
  return { policies: planned, batches };
}
