import type { Policy } from "../config/policy.ts";
import type { LimitInForce } from "../rules/rule-set.ts";

/** A policy as a check meets it: with a runtime override's limit where one applies. */
export interface InForce extends Policy {
  /** The id of the override in force. */
  override?: string;
  /** The override lifted the limit: allowed, and not counted. */
  unlimited?: true;
}

/**
 * Puts an override's limit in the policy's place. An override of another kind than the
 * policy (its kind was changed in policies.json after the override was set) does not apply.
 */
export function inForce(policy: Policy, found: LimitInForce | undefined): InForce {
  if (found === undefined) return policy;
  if (found.limit === "unlimited")
    return { ...policy, override: found.overrideId, unlimited: true };
  if (found.limit.kind !== policy.limit.kind) return policy;
  return { ...policy, limit: found.limit, override: found.overrideId };
}
