import type { Policy } from "../config/policy.ts";
import type { Registry } from "../config/registry.ts";
import { canonicalKey, subjectKey } from "../core/keys.ts";
import { type CheckLimit, maxCost, quotaOf, remainingUnconsumed } from "../core/limits.ts";
import { resolveScope } from "../core/scopes.ts";
import { makeLeaseId, parseLeaseId } from "./lease-id.ts";
import type { LimiterObject } from "./object.ts";
import type { BatchOutcome, CheckItem } from "./protocol.ts";
import {
  checkSchema,
  InputError,
  type PolicySubject,
  parseInput,
  policySubjectSchema,
  type Subject,
} from "./request.ts";
import type { AcquireResult, CheckResult, PolicyResult } from "./result.ts";

interface Planned {
  policy: Policy;
  subject: string;
  item: CheckItem;
  base: PolicyResult;
}

/**
 * The one way into the limiter, shared by the HTTP, RPC and Telegram doors. It resolves
 * each policy to a subject, sends the policies of one subject to its object in one call,
 * and keeps multi-policy checks all-or-nothing across objects by refunding.
 */
export class Limiter {
  private readonly namespace: DurableObjectNamespace<LimiterObject>;
  readonly registry: Registry;

  constructor(namespace: DurableObjectNamespace<LimiterObject>, registry: Registry) {
    this.namespace = namespace;
    this.registry = registry;
  }

  /** Validates `input` and decides it. Bad input throws an InputError; a denial is data. */
  async check(input: unknown): Promise<CheckResult> {
    const request = parseInput(checkSchema, input);
    const results: PolicyResult[] = [];
    const bySubject = new Map<string, Planned[]>();
    for (const name of new Set(request.policies)) {
      const policy = this.policy(name);
      if (policy.limit.kind === "concurrency") {
        throw new InputError(
          `policy "${name}" is a concurrency policy: take it with POST /v1/leases, not a check`,
        );
      }
      const limit: CheckLimit = policy.limit;
      if (request.cost > maxCost(limit)) {
        throw new InputError(
          `cost ${request.cost} exceeds the capacity ${maxCost(limit)} of policy "${name}", ` +
            "so it could never be admitted",
        );
      }
      const base = this.baseResult(policy);
      results.push(base);
      if (!policy.enabled) {
        base.disabled = true;
        continue;
      }
      const keys = this.keysFor(policy, request);
      if (!keys.ok) {
        base.skipped = true;
        base.reason = `needs ${keys.missing.join(" and ")}`;
        continue;
      }
      const { key, subject } = keys;
      base.key = key;
      const planned: Planned = {
        policy,
        subject,
        base,
        item: {
          stateKey: key,
          limit,
          enforce: policy.mode === "enforce",
          cost: request.cost,
          fingerprint: request.fingerprint,
        },
      };
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), planned]);
    }
    const groups = [...bySubject.entries()];
    const outcomes = await Promise.all(
      groups.map(
        ([subject, planned]) =>
          this.stub(subject).check(planned.map((p) => p.item)) as Promise<BatchOutcome>,
      ),
    );
    const admitted = outcomes.every((outcome) => outcome.admitted);
    if (!admitted) await this.refund(groups, outcomes);
    groups.forEach(([, planned], g) => {
      planned.forEach((p, i) => {
        const outcome = outcomes[g]?.items[i];
        if (outcome === undefined) return;
        Object.assign(p.base, {
          allowed: outcome.allowed,
          limit: outcome.limit,
          // Refunded groups consumed nothing in the end: report what is left as it stands.
          remaining:
            admitted || !outcomes[g]?.admitted
              ? outcome.remaining
              : remainingUnconsumed(p.item, outcome),
          retryAfterMs: outcome.retryAfterMs,
          resetMs: outcome.resetMs,
        });
        if (p.policy.mode === "shadow") p.base.shadow = true;
      });
    });
    const denied = results.filter((r) => !r.allowed && !r.shadow);
    return {
      allowed: denied.length === 0,
      retryAfterMs: Math.max(0, ...denied.map((r) => r.retryAfterMs)),
      policies: results,
    };
  }

  /** Takes a lease of a concurrency policy. A full policy is data, not an error. */
  async acquire(input: PolicySubject): Promise<AcquireResult> {
    const { policy, parts, stateKey } = this.locateLease(input);
    const leaseId = makeLeaseId(stateKey, crypto.randomUUID());
    const limit = policy.limit;
    if (limit.kind !== "concurrency") throw new Error("unreachable: checked in locateLease");
    if (!policy.enabled) {
      return {
        acquired: true,
        leaseId,
        retryAfterMs: 0,
        limit: limit.limit,
        remaining: limit.limit,
      };
    }
    const outcome = await this.stub(subjectKey(parts)).acquire({ stateKey, limit, leaseId });
    return {
      acquired: outcome.acquired,
      leaseId: outcome.acquired ? leaseId : undefined,
      expiresAt: outcome.expiresAtMs,
      retryAfterMs: outcome.retryAfterMs,
      limit: outcome.limit,
      remaining: outcome.remaining,
    };
  }

  /** Returns a lease; false when it is unknown or has already expired. */
  async release(leaseId: string): Promise<boolean> {
    const parsed = parseLeaseId(leaseId);
    if (parsed === undefined || parsed.parts.app !== this.registry.app) return false;
    const policy = this.registry.has(parsed.parts.namespace)
      ? this.registry.get(parsed.parts.namespace)
      : undefined;
    if (policy?.limit.kind !== "concurrency") return false;
    return this.stub(subjectKey(parsed.parts)).release({
      stateKey: parsed.stateKey,
      limit: policy.limit,
      leaseId,
    });
  }

  /** Forgets one subject's state for one policy. */
  async reset(input: PolicySubject): Promise<{ key: string }> {
    const request = parseInput(policySubjectSchema, input);
    const policy = this.policy(request.policy);
    const { key, subject } = this.requireKeys(policy, request);
    await this.stub(subject).reset([key]);
    return { key };
  }

  private locateLease(input: PolicySubject) {
    const request = parseInput(policySubjectSchema, input);
    const policy = this.policy(request.policy);
    if (policy.limit.kind !== "concurrency") {
      throw new InputError(
        `policy "${policy.name}" is a ${policy.limit.kind} policy: leases are for concurrency policies`,
      );
    }
    const { key, parts } = this.requireKeys(policy, request);
    return { policy, parts, stateKey: key };
  }

  /** Keys for a call that names one policy: a scope it cannot meet is the caller's error. */
  private requireKeys(policy: Policy, request: Subject) {
    const keys = this.keysFor(policy, request);
    if (!keys.ok) {
      const needs = keys.missing.join(" and ");
      throw new InputError(`policy "${policy.name}" has scope ${policy.scope} and needs ${needs}`);
    }
    return keys;
  }

  private keysFor(policy: Policy, request: Subject) {
    const resolved = resolveScope(policy.scope, request);
    if (!resolved.ok) return { ok: false as const, missing: resolved.missing };
    const parts = { app: this.registry.app, scope: resolved.scope, ids: resolved.ids };
    const key = canonicalKey({
      ...parts,
      namespace: policy.name,
      method: policy.method,
      bucket: policy.bucket,
    });
    return { ok: true as const, key, parts, subject: subjectKey(parts) };
  }

  private policy(name: string): Policy {
    try {
      return this.registry.get(name);
    } catch (error) {
      throw new InputError((error as Error).message);
    }
  }

  private baseResult(policy: Policy): PolicyResult {
    const { quota, windowSeconds } = quotaOf(policy.limit);
    return {
      name: policy.name,
      allowed: true,
      limit: quota,
      remaining: quota,
      retryAfterMs: 0,
      resetMs: 0,
      windowSeconds,
      scope: policy.scope,
    };
  }

  private async refund(groups: [string, Planned[]][], outcomes: BatchOutcome[]): Promise<void> {
    await Promise.all(
      groups.map(([subject, planned], g) => {
        const refunds = planned.flatMap((p, i) => {
          const receipt = outcomes[g]?.items[i]?.receipt;
          return receipt ? [{ stateKey: p.item.stateKey, limit: p.item.limit, receipt }] : [];
        });
        return refunds.length > 0 ? this.stub(subject).refund(refunds) : undefined;
      }),
    );
  }

  private stub(subject: string) {
    return this.namespace.getByName(subject);
  }
}
