import type { AcquireResult, CheckResult, PolicyResult } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";
import { quotaOf, remainingUnconsumed } from "../core/limits.ts";
import type { Blocking } from "../rules/rule-set.ts";
import type { SubjectRefunds } from "./decided.ts";
import type { InForce } from "./in-force.ts";
import type { CheckPlan, PlannedPolicy } from "./plan.ts";
import type { BatchOutcome } from "./protocol.ts";

// Folds what the objects answered into the results every door reports. Pure: each result is
// built once, from the plan and the outcomes.

/** Why a new bucket was denied before its limit was asked. */
export function bucketsFullReason(policy: Policy): string {
  return (
    `too many buckets: ${policy.maxBuckets} of policy "${policy.name}" are live on this ` +
    "subject, and a new one waits until one of them recovers"
  );
}

/** A policy's result before anything counted: its full quota, nothing to wait for. */
export function idleResult(policy: InForce): PolicyResult {
  const { quota, windowSeconds } = quotaOf(policy.limit);
  const result: PolicyResult = {
    name: policy.name,
    allowed: true,
    limit: quota,
    remaining: quota,
    retryAfterMs: 0,
    resetMs: 0,
    windowSeconds,
    scope: policy.scope,
  };
  if (policy.override !== undefined) result.override = policy.override;
  return result;
}

/** What a leased policy's tokens said: spent from the isolate's grants, or refused. */
export type LeasedOutcome =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterMs: number; remaining: number; resetMs: number };

function resultOf(
  planned: PlannedPolicy,
  plan: CheckPlan,
  outcomes: BatchOutcome[],
  admitted: boolean,
  leased: ReadonlyMap<string, LeasedOutcome>,
): PolicyResult {
  const idle = idleResult(planned.policy);
  if (planned.status === "disabled") return { ...idle, disabled: true };
  if (planned.status === "unlimited") return { ...idle, unlimited: true };
  if (planned.status === "skipped") return { ...idle, skipped: true, reason: planned.reason };
  const counted: PolicyResult = { ...idle, key: planned.stateKey };
  if (planned.status === "leased") {
    // Not asked when another policy denied first. `remaining` is an estimate: this isolate's
    // tokens and what the bucket held beyond grants and its reserve at the last grant.
    const spent = leased.get(planned.stateKey);
    if (spent === undefined) return counted;
    if (spent.allowed) return { ...counted, remaining: spent.remaining };
    const { retryAfterMs, remaining, resetMs } = spent;
    return { ...counted, allowed: false, retryAfterMs, remaining, resetMs };
  }
  if (planned.policy.mode === "shadow") counted.shadow = true;
  const batch = outcomes[planned.batch];
  const outcome = batch?.items[planned.item];
  // A duplicate claim decides nothing: no outcome, and the idle result stands.
  if (batch === undefined || outcome === undefined) return counted;
  const item = plan.batches[planned.batch]?.items[planned.item];
  // A batch that admitted was refunded when another object denied: it consumed nothing in
  // the end, so what is left is reported as it stands.
  const refunded = batch.admitted && !admitted && item !== undefined;
  const result: PolicyResult = {
    ...counted,
    allowed: outcome.allowed,
    limit: outcome.quota,
    remaining: refunded ? remainingUnconsumed(item, outcome) : outcome.remaining,
    retryAfterMs: outcome.retryAfterMs,
    resetMs: outcome.resetMs,
  };
  if (outcome.bucketsFull) result.reason = bucketsFullReason(planned.policy);
  return result;
}

/** One result per planned policy, in the order the check named them. */
export function policyResults(
  plan: CheckPlan,
  outcomes: BatchOutcome[],
  admitted: boolean,
  leased: ReadonlyMap<string, LeasedOutcome> = new Map(),
): PolicyResult[] {
  return plan.policies.map((planned) => resultOf(planned, plan, outcomes, admitted, leased));
}

/**
 * Denied when an enforced policy denied, or when `refused`: nothing was decided and the answer
 * is no (the check had been decided before, or its group was denied).
 */
export function checkResult(policies: PolicyResult[], refused: boolean): CheckResult {
  const denied = policies.filter((p) => !p.allowed && !p.shadow);
  return {
    allowed: denied.length === 0 && !refused,
    retryAfterMs: Math.max(0, ...denied.map((p) => p.retryAfterMs)),
    policies,
  };
}

/**
 * An operator's block: the policies it covers denied, with the time the block has left (0, and
 * no Retry-After, for one with no expiry); nothing counted, no object asked.
 */
export function blockedResult(policies: InForce[], block: Blocking): CheckResult {
  const retryAfterMs = block.retryAfterMs ?? 0;
  return {
    allowed: false,
    retryAfterMs,
    blocked: true,
    policies: policies.map((policy) => {
      const idle = idleResult(policy);
      if (!block.policies.has(policy.name)) return idle;
      return { ...idle, allowed: false, remaining: 0, retryAfterMs, reason: "blocked" };
    }),
  };
}

/** The configured failure mode's answer when the limiter could not decide. */
export function unavailableResult(policies: InForce[], allowed: boolean): CheckResult {
  const retryAfterMs = allowed ? 0 : 1000;
  return {
    allowed,
    retryAfterMs,
    unavailable: true,
    policies: policies.map((policy) => ({ ...idleResult(policy), allowed, retryAfterMs })),
  };
}

/** What each object consumed, as refunds that give exactly that back. */
export function consumed(plan: CheckPlan, outcomes: BatchOutcome[]): SubjectRefunds[] {
  return plan.batches.flatMap(({ subjectKey, items }, b) => {
    const refunds = items.flatMap((item, i) => {
      const receipt = outcomes[b]?.items[i]?.receipt;
      return receipt ? [{ stateKey: item.stateKey, limit: item.limit, receipt }] : [];
    });
    return refunds.length > 0 ? [{ subjectKey, items: refunds }] : [];
  });
}

/** A lease refused by a block: no slot taken, retry when the block says. */
export function blockedLease(blocked: CheckResult): AcquireResult {
  return {
    acquired: false,
    blocked: true,
    retryAfterMs: blocked.retryAfterMs,
    limit: blocked.policies[0]?.limit ?? 0,
    remaining: 0,
  };
}
