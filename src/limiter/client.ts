import type { AcquireResult, CheckResult, PolicyResult } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";
import type { Registry } from "../config/registry.ts";
import { canonicalKey, subjectKey } from "../core/keys.ts";
import { type CheckLimit, maxCost, quotaOf, remainingUnconsumed } from "../core/limits.ts";
import { resolveScope } from "../core/scopes.ts";
import { callObject, LimiterUnavailableError } from "./calls.ts";
import type {
  Claim,
  Decidable,
  Decided,
  Group,
  Planned,
  SubjectRefunds,
  Ticket,
} from "./decided.ts";
import { aged, denialKey, denials, stats } from "./denials.ts";
import { makeLeaseId, parseLeaseId } from "./lease-id.ts";
import type { LimiterObject } from "./object.ts";
import type { BatchOutcome } from "./protocol.ts";
import {
  checkSchema,
  InputError,
  type PolicySubject,
  parseInput,
  policySubjectSchema,
  type Subject,
} from "./request.ts";

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

  /**
   * Validates `input` and decides it. Bad input throws an InputError; a denial is data. When
   * the limiter cannot decide in time, the configured failure mode answers: `closed` denies
   * and `open` admits, both marked `unavailable`.
   */
  async check(input: unknown): Promise<CheckResult> {
    const request = parseInput(checkSchema, input);
    const policies = [...new Set(request.policies)].map((name) => this.policy(name));
    try {
      return (await this.decide(policies, request)).result;
    } catch (error) {
      if (!(error instanceof LimiterUnavailableError)) throw error;
      console.error(JSON.stringify({ event: "limiter_unavailable", reason: error.message }));
      return this.unavailable(policies, this.registry.limiter.failMode === "open");
    }
  }

  private unavailable(policies: Policy[], allowed: boolean): CheckResult {
    const retryAfterMs = allowed ? 0 : 1000;
    return {
      allowed,
      retryAfterMs,
      unavailable: true,
      policies: policies.map((policy) => ({ ...this.baseResult(policy), allowed, retryAfterMs })),
    };
  }

  /**
   * Decides already-resolved policies (the Telegram door passes its rules' policies and
   * synthetic ones). With a `claim`, a subject decides each claim key at most once: a second
   * decision with the same key is answered `duplicate` and consumes nothing.
   */
  async decide(policies: Policy[], request: Decidable, claim?: Claim): Promise<Decided> {
    const results: PolicyResult[] = [];
    const bySubject = new Map<string, Planned[]>();
    // A policy named twice is one policy: decided twice in one batch, it would be counted once
    // but reported twice.
    const unique = [...new Map(policies.map((policy) => [policy.name, policy])).values()];
    for (const policy of unique) {
      const base = this.baseResult(policy);
      results.push(base);
      const planned = this.plan(policy, request, base);
      if (planned)
        bySubject.set(planned.subject, [...(bySubject.get(planned.subject) ?? []), planned]);
    }
    const groups = [...bySubject.entries()];
    const startMs = Date.now();
    const cacheKey = denialKey(
      groups.flatMap(([, planned]) => planned.map((p) => p.item.stateKey)),
      request.fingerprint,
    );
    const cached = cacheKey ? denials.get(cacheKey, request.cost, startMs) : undefined;
    if (cached) {
      stats.deniedFromCache++;
      return {
        result: aged(cached.result, cached.remainingMs),
        duplicate: false,
        ticket: { refunds: [] },
      };
    }
    // The claim rides along with the first object's call, so de-duplication costs no extra
    // request; with no object to call, it goes to its own.
    const claimSubject = groups[0]?.[0] ?? claim?.fallbackSubject;
    if (claim && claimSubject !== undefined && groups.length === 0) groups.push([claimSubject, []]);
    const outcomes = await Promise.all(
      groups.map(([subject, planned]) =>
        this.call(() =>
          this.stub(subject).check(
            planned.map((p) => p.item),
            subject === claimSubject ? claim?.key : undefined,
          ),
        ),
      ),
    );
    const duplicate = outcomes.some((outcome) => outcome.duplicate);
    const admitted = outcomes.every((outcome) => outcome.admitted);
    const consumed = this.refunds(groups, outcomes);
    if (!admitted) await this.refund(consumed);
    this.report(groups, outcomes, admitted);
    const denied = results.filter((r) => !r.allowed && !r.shadow);
    const ticket: Ticket = {
      claimSubject: claim ? claimSubject : undefined,
      claimKey: claim?.key,
      refunds: admitted ? consumed : [],
    };
    const result: CheckResult = {
      allowed: denied.length === 0 && !duplicate,
      retryAfterMs: Math.max(0, ...denied.map((r) => r.retryAfterMs)),
      policies: results,
    };
    if (cacheKey && !result.allowed && !duplicate) {
      denials.set(cacheKey, request.cost, startMs + result.retryAfterMs, result, Date.now());
    }
    return { result, duplicate, ticket };
  }

  /** Takes back a decision: refunds what it consumed and frees its claim for a retry. */
  async undo(ticket: Ticket): Promise<void> {
    await this.refund(ticket.refunds);
    if (ticket.claimSubject !== undefined && ticket.claimKey !== undefined) {
      const { claimSubject, claimKey } = ticket;
      await this.call(() => this.stub(claimSubject).releaseClaim(claimKey));
    }
  }

  /** Validates a policy for a check and plans its call; undefined when it does not count. */
  private plan(policy: Policy, request: Decidable, base: PolicyResult): Planned | undefined {
    const name = policy.name;
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
    if (!policy.enabled) {
      base.disabled = true;
      return undefined;
    }
    const keys = this.keysFor(policy, request);
    if (!keys.ok) {
      base.skipped = true;
      base.reason = `needs ${keys.missing.join(" and ")}`;
      return undefined;
    }
    base.key = keys.key;
    if (policy.mode === "shadow") base.shadow = true;
    return {
      subject: keys.subject,
      base,
      item: {
        stateKey: keys.key,
        limit,
        enforce: policy.mode === "enforce",
        cost: request.cost,
        fingerprint: request.fingerprint,
      },
    };
  }

  private report(groups: Group[], outcomes: BatchOutcome[], admitted: boolean): void {
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
      });
    });
  }

  /** Takes a lease of a concurrency policy. A full policy is data, not an error. */
  async acquire(input: PolicySubject): Promise<AcquireResult> {
    const { policy, limit, parts, stateKey } = this.locateLease(input);
    const leaseId = makeLeaseId(stateKey, crypto.randomUUID());
    if (!policy.enabled) {
      return {
        acquired: true,
        leaseId,
        retryAfterMs: 0,
        limit: limit.limit,
        remaining: limit.limit,
      };
    }
    const outcome = await this.call(() =>
      this.stub(subjectKey(parts)).acquire({ stateKey, limit, leaseId }),
    );
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
    const item = { stateKey: parsed.stateKey, limit: policy.limit, leaseId };
    return this.call(() => this.stub(subjectKey(parsed.parts)).release(item));
  }

  /** Forgets one subject's state for one policy. */
  async reset(input: PolicySubject): Promise<{ key: string }> {
    const request = parseInput(policySubjectSchema, input);
    const policy = this.policy(request.policy);
    const { key, subject } = this.requireKeys(policy, request);
    await this.call(() => this.stub(subject).reset([key]));
    denials.forget(key);
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
    return { policy, limit: policy.limit, parts, stateKey: key };
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
    const resolved = resolveScope(policy.scope, request, policy.ipv6Prefix);
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

  /** What each object consumed, as refunds it could be given back. */
  private refunds(groups: Group[], outcomes: BatchOutcome[]): SubjectRefunds[] {
    return groups.flatMap(([subject, planned], g) => {
      const items = planned.flatMap((p, i) => {
        const receipt = outcomes[g]?.items[i]?.receipt;
        return receipt ? [{ stateKey: p.item.stateKey, limit: p.item.limit, receipt }] : [];
      });
      return items.length > 0 ? [{ subject, items }] : [];
    });
  }

  /**
   * Refunds are never retried: a refund applied twice would hand out more than was taken.
   * One that fails leaves the subject charged for nothing, which can deny, never over-admit.
   */
  private async refund(refunds: SubjectRefunds[]): Promise<void> {
    const results = await Promise.allSettled(
      refunds.map(({ subject, items }) =>
        this.call(() => this.stub(subject).refund(items), { retry: false }),
      ),
    );
    for (const result of results) {
      if (result.status === "rejected") {
        console.error(JSON.stringify({ event: "refund_failed", error: String(result.reason) }));
      }
    }
  }

  private call<T>(fn: () => Promise<T>, options = { retry: true }): Promise<T> {
    stats.objectCalls++;
    return callObject(fn, { budgetMs: this.registry.limiter.budgetMs, ...options });
  }

  private stub(subject: string) {
    return this.namespace.getByName(subject);
  }
}
