import type { AcquireResult, CheckResult, RefundResult, RenewResult } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";

export type { RulesSource } from "./ruling.ts";

import type { Registry } from "../config/registry.ts";
import { DenialCache } from "../core/denial-cache.ts";
import { LimiterUnavailableError } from "./calls.ts";
import { coordinate, refundAll } from "./coordinator.ts";
import type { Claim, Decided, Ticket } from "./decided.ts";
import { aged, denialKey, MAX_CACHED_DENIALS } from "./denials.ts";
import { TokenGrants } from "./grants.ts";
import type { InForce } from "./in-force.ts";
import { spendLeased } from "./leased.ts";
import { concurrencyLimit, Leases } from "./leases.ts";
import { locateOrThrow } from "./locate.ts";
import type { LimiterObject } from "./object.ts";
import { SubjectObjects } from "./objects.ts";
import { checkResult, policyResults, unavailableResult } from "./outcome.ts";
import { claimHome, type Decidable, planCheck } from "./plan.ts";
import { Refunds } from "./refunds.ts";
import {
  checkSchema,
  namedPolicy,
  type PolicySubject,
  parseInput,
  policySubjectSchema,
} from "./request.ts";
import { NO_RULES, type RulesSource, Ruling } from "./ruling.ts";

/** What one isolate's limiter has done, for `GET /v1/stats` and the benchmarks. */
export interface LimiterStats {
  objectCalls: number;
  deniedFromCache: number;
  cachedDenials: number;
}

export interface LimiterOptions {
  /** The isolate's clock, for its memory of denials and rule expiry; objects keep their own. */
  clock?: () => number;
  /** Blocks and overrides; none when absent. */
  rules?: RulesSource;
  /** The accepted values of the secret refund tickets are signed with; none: no tickets. */
  ticketSecrets?: () => readonly string[];
}

/**
 * The one way into the limiter, made once per isolate and shared by the HTTP, RPC and
 * Telegram doors. It plans each check, sends the policies of one subject to its object in
 * one call, keeps multi-policy checks all or nothing across objects, and answers floods from
 * its memory of recent denials.
 */
export class Limiter {
  readonly registry: Registry;
  private readonly objects: SubjectObjects;
  private readonly leases: Leases;
  private readonly refunds: Refunds;
  private readonly denials = new DenialCache<CheckResult>(MAX_CACHED_DENIALS);
  private deniedFromCache = 0;
  private readonly clock: () => number;
  private readonly ruling: Ruling;
  private readonly grants: TokenGrants;

  constructor(
    registry: Registry,
    namespace: DurableObjectNamespace<LimiterObject>,
    options: LimiterOptions = {},
  ) {
    this.registry = registry;
    this.clock = options.clock ?? Date.now;
    // A denial remembered, or tokens granted, under other rules may no longer hold.
    this.ruling = new Ruling(options.rules ?? NO_RULES, this.clock, () => {
      this.denials.clear();
      this.grants.clear();
    });
    this.objects = new SubjectObjects(namespace, registry.availability.budgetMs);
    this.grants = new TokenGrants(this.objects, this.clock, () => this.ruling.generation);
    this.leases = new Leases(registry, this.objects);
    const secrets = options.ticketSecrets ?? (() => []);
    this.refunds = new Refunds(registry, this.objects, secrets, this.clock);
  }

  /**
   * Validates `input` and decides it. Bad input throws an InputError; a denial is data. When
   * the limiter cannot decide in time, the configured failure mode answers: `closed` denies
   * and `open` admits, both marked `unavailable`.
   */
  async check(input: unknown): Promise<CheckResult> {
    const request = parseInput(checkSchema, input);
    const policies = request.policies.map((name) => namedPolicy(this.registry, name));
    try {
      const decided = await this.decide(policies, request);
      return await this.refunds.ticketed(decided.result, decided.ticket.refunds);
    } catch (error) {
      if (!(error instanceof LimiterUnavailableError)) throw error;
      console.error(JSON.stringify({ event: "limiter_unavailable", reason: error.message }));
      const open = this.registry.availability.failMode === "open";
      return unavailableResult([...new Set(policies)], open);
    }
  }

  /**
   * Decides already-resolved policies (the Telegram door passes its rules' policies and
   * synthetic ones). With a `claim`, a subject decides each claim key at most once: a second
   * decision with the same key is answered `duplicate` and consumes nothing.
   */
  async decide(policies: Policy[], request: Decidable, claim?: Claim): Promise<Decided> {
    const ruled = await this.ruling.apply(policies, request);
    if ("blocked" in ruled) {
      return { result: ruled.blocked, duplicate: false, ticket: { refunds: [] } };
    }
    const plan = planCheck(this.registry.app, ruled.policies, request);
    const startMs = this.clock();
    const stateKeys = [
      ...plan.batches.flatMap((batch) => batch.items.map((item) => item.stateKey)),
      ...plan.policies.flatMap((p) => (p.status === "leased" ? [p.stateKey] : [])),
    ];
    const cacheKey = denialKey(stateKeys, request.fingerprint);
    // A group's member answers with the group's verdict, which no remembered denial knows.
    const cached =
      cacheKey && !claim?.group ? this.denials.get(cacheKey, request.cost, startMs) : undefined;
    if (cached) {
      this.deniedFromCache++;
      const result = aged(cached.result, cached.remainingMs);
      return { result, duplicate: false, ticket: { refunds: [] } };
    }
    const home = claim && claimHome(this.registry.app, policies, request);
    const placed = claim && {
      key: claim.key,
      subjectKey: home ?? claim.fallbackSubjectKey,
      group: claim.group,
    };
    const run = await coordinate(this.objects, plan, placed);
    const spent = await spendLeased(
      this.grants,
      this.objects,
      plan,
      run,
      request.cost,
      ruled.generation,
    );
    const results = policyResults(plan, run.outcomes, spent.admitted, spent.leased);
    const result = checkResult(results, run.refused);
    // A denial decided under rules changed since may not hold under the new ones.
    const sameRules = ruled.generation === this.ruling.generation;
    if (cacheKey && !result.allowed && !run.duplicate && sameRules) {
      // The horizon counts from before the call, so it is never later than the object's own.
      this.denials.set(cacheKey, request.cost, startMs + result.retryAfterMs, result, this.clock());
    }
    const ticket: Ticket = {
      claimSubjectKey: run.claimSubjectKey,
      claimKey: claim?.key,
      refunds: spent.kept,
    };
    return { result, duplicate: run.duplicate, group: run.group, ticket };
  }

  /** What `check(input)` would decide now: the same result, nothing consumed or written. */
  async peek(input: unknown): Promise<CheckResult> {
    const request = parseInput(checkSchema, input);
    const policies = request.policies.map((name) => namedPolicy(this.registry, name));
    try {
      const ruled = await this.ruling.apply(policies, request);
      if ("blocked" in ruled) return ruled.blocked;
      // A peek asks the objects, leased policies too, and takes no tokens.
      const plan = planCheck(this.registry.app, ruled.policies, request, { leases: false });
      const outcomes = await Promise.all(
        plan.batches.map(({ subjectKey, items }) => this.objects.peek(subjectKey, items)),
      );
      const admitted = outcomes.every((outcome) => outcome.admitted);
      return checkResult(policyResults(plan, outcomes, admitted), false);
    } catch (error) {
      if (!(error instanceof LimiterUnavailableError)) throw error;
      const open = this.registry.availability.failMode === "open";
      return unavailableResult([...new Set(policies)], open);
    }
  }

  /** Takes back a decision: refunds what it consumed and frees its claim for a retry. */
  async undo(ticket: Ticket): Promise<void> {
    await refundAll(this.objects, ticket.refunds);
    if (ticket.claimSubjectKey !== undefined && ticket.claimKey !== undefined) {
      await this.objects.releaseClaim(ticket.claimSubjectKey, ticket.claimKey);
    }
  }

  /** Redeems `{ ticket }`: gives back what its check consumed, at most once. */
  async refund(input: unknown): Promise<RefundResult> {
    const { result, stateKeys } = await this.refunds.refund(input);
    for (const stateKey of stateKeys) this.denials.forget(stateKey);
    return result;
  }

  /** Takes a lease of a concurrency policy, under its override and any block. */
  async acquire(input: PolicySubject): Promise<AcquireResult> {
    const request = parseInput(policySubjectSchema, input);
    const policy = namedPolicy(this.registry, request.policy);
    concurrencyLimit(policy);
    const ruled = await this.ruling.apply([policy], request);
    if ("blocked" in ruled) {
      const [result] = ruled.blocked.policies;
      const retryAfterMs = ruled.blocked.retryAfterMs;
      return {
        acquired: false,
        blocked: true,
        retryAfterMs,
        limit: result?.limit ?? 0,
        remaining: 0,
      };
    }
    return this.leases.acquire(ruled.policies[0] as InForce, request);
  }

  release(leaseId: string): Promise<boolean> {
    return this.leases.release(leaseId);
  }

  renew(leaseId: string, input: unknown): Promise<RenewResult | false> {
    return this.leases.renew(leaseId, input);
  }

  /** Forgets one subject's state for one policy (in one bucket, for a per-bucket policy). */
  async reset(input: PolicySubject): Promise<{ key: string }> {
    const request = parseInput(policySubjectSchema, input);
    const policy = namedPolicy(this.registry, request.policy);
    const { stateKey, subjectKey, perBucket } = locateOrThrow(this.registry.app, policy, request);
    await this.objects.reset(subjectKey, [stateKey]);
    // A bucket reset may free room for a new bucket denied as one too many: forget those too.
    this.denials.forget(perBucket?.familyKey ?? stateKey);
    this.grants.forget(stateKey);
    return { key: stateKey };
  }

  stats(): LimiterStats {
    return {
      objectCalls: this.objects.calls,
      deniedFromCache: this.deniedFromCache,
      cachedDenials: this.denials.size,
    };
  }
}
