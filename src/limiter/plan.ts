import type { Policy } from "../config/policy.ts";
import { leasedMaxCost } from "../core/grant.ts";
import { type CheckLimit, maxCost } from "../core/limits.ts";
import type { ThrottleLimit } from "../core/throttle.ts";
import type { InForce } from "./in-force.ts";
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
  | { policy: InForce; status: "disabled" }
  | { policy: InForce; status: "unlimited" }
  | { policy: InForce; status: "skipped"; reason: string }
  | {
      /** A hot key's throttle: spent from the isolate's grants, not sent in a batch. */
      policy: InForce;
      status: "leased";
      stateKey: string;
      subjectKey: string;
      limit: ThrottleLimit;
    }
  | {
      policy: InForce;
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

/** Spent from the isolate's grants: an enforced throttle that asks for leases. */
const leased = (policy: InForce): boolean =>
  policy.lease === true && policy.mode === "enforce" && policy.limit.kind === "throttle";

/** The limit a check decides, validated: a cost past the limit in force could never pass. */
function checkLimitOf(policy: InForce, cost: number): CheckLimit {
  if (policy.limit.kind === "concurrency") {
    throw new InputError(
      `policy "${policy.name}" is a concurrency policy: take it with POST /v1/leases, not a check`,
    );
  }
  if (leased(policy) && !policy.unlimited && policy.limit.kind === "throttle") {
    const most = leasedMaxCost(policy.limit);
    if (cost > most) {
      throw new InputError(
        `cost ${cost} exceeds ${most}, the most a check of leased policy "${policy.name}" may ` +
          "cost (its capacity less what refills in a lease's life), so it could never be admitted",
      );
    }
    return policy.limit;
  }
  const most = maxCost(policy.limit);
  if (cost > most && !policy.unlimited) {
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
export function planCheck(
  app: string,
  policies: InForce[],
  request: Decidable,
  options: { leases: boolean } = { leases: true },
): CheckPlan {
  const unique = [...new Map(policies.map((policy) => [policy.name, policy])).values()];
  assertBucketTaken(unique, request.bucket);
  const batches: ObjectBatch[] = [];
  const batchOf = new Map<string, ObjectBatch>();
  const planned = unique.map((policy): PlannedPolicy => {
    const limit = checkLimitOf(policy, request.cost);
    if (!policy.enabled) return { policy, status: "disabled" };
    if (policy.unlimited) return { policy, status: "unlimited" };
    const located = locate(app, policy, request);
    if (!located.ok) {
      return { policy, status: "skipped", reason: `needs ${located.missing.join(" and ")}` };
    }
    if (options.leases && leased(policy) && limit.kind === "throttle") {
      const { stateKey, subjectKey } = located;
      return { policy, status: "leased", stateKey, subjectKey, limit };
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

/**
 * Where a claim is kept: the object of the first policy that counts this subject, found from
 * the policies as configured, not as the runtime rules left them, so an override that lifts a
 * policy (or its removal) never moves the claim and lets a re-sent update through twice.
 */
export function claimHome(app: string, policies: Policy[], identity: Target): string | undefined {
  for (const policy of policies) {
    // A leased policy's object is the hot one, which a claim would call on every update.
    if (!policy.enabled || policy.limit.kind === "concurrency" || policy.lease) continue;
    const located = locate(app, policy, identity);
    if (located.ok) return located.subjectKey;
  }
  return undefined;
}
