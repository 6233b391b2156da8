import type { AcquireResult, CheckResult, RefundResult, RenewResult } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";

export type { RulesSource } from "./ruling.ts";

import type { Registry } from "../config/registry.ts";
import type { Identity } from "../core/scopes.ts";
import { LimiterUnavailableError } from "./calls.ts";
import { refundAll } from "./coordinator.ts";
import type { Claim, Decided, Ticket } from "./decided.ts";
import { Decisions } from "./decisions.ts";
import type { InForce } from "./in-force.ts";
import { concurrencyLimit, Leases } from "./leases.ts";
import { locateOrThrow } from "./locate.ts";
import type { LimiterObject } from "./object.ts";
import { SubjectObjects } from "./objects.ts";
import { blockedLease, checkResult, policyResults, unavailableResult } from "./outcome.ts";
import { type Decidable, planCheck } from "./plan.ts";
import { Refunds } from "./refunds.ts";
import {
  checkSchema,
  namedPolicy,
  type PolicySubject,
  parseInput,
  policySubjectSchema,
} from "./request.ts";
import { NO_RULES, type RulesSource, Ruling } from "./ruling.ts";
import { type DecisionContext, type DecisionSink, observeCheck, observeLease } from "./sink.ts";

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
  /** Where decisions are counted (src/metrics); only those made with a door's context. */
  sink?: DecisionSink;
  /**
   * Keeps work alive past the request that started it (the runtime's waitUntil): a leased
   * policy's next grant, asked for before the isolate's runs out. Without it, none is.
   */
  background?: (work: Promise<unknown>) => void;
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
  private readonly clock: () => number;
  private readonly ruling: Ruling;
  private readonly decisions: Decisions;
  private readonly sink: DecisionSink | undefined;

  constructor(
    registry: Registry,
    namespace: DurableObjectNamespace<LimiterObject>,
    options: LimiterOptions = {},
  ) {
    this.registry = registry;
    this.clock = options.clock ?? Date.now;
    this.ruling = new Ruling(options.rules ?? NO_RULES, this.clock, () =>
      this.decisions.rulesChanged(),
    );
    this.objects = new SubjectObjects(namespace, registry.availability.budgetMs);
    this.decisions = new Decisions(
      registry.app,
      this.objects,
      this.ruling,
      this.clock,
      options.background,
    );
    this.leases = new Leases(registry, this.objects);
    const secrets = options.ticketSecrets ?? (() => []);
    this.refunds = new Refunds(registry, this.objects, secrets, this.clock);
    this.sink = options.sink;
  }

  /**
   * Validates `input` and decides it. Bad input throws an InputError; a denial is data. When
   * the limiter cannot decide in time, the configured failure mode answers: `closed` denies
   * and `open` admits, both marked `unavailable`.
   */
  async check(input: unknown, context?: DecisionContext): Promise<CheckResult> {
    const request = parseInput(checkSchema, input);
    const policies = request.policies.map((name) => namedPolicy(this.registry, name));
    try {
      const decided = await this.decide(policies, request, undefined, context);
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
   * decision with the same key is answered `duplicate` and consumes nothing. With a
   * `context`, the decision is counted for that door (a duplicate is not counted again).
   */
  async decide(
    policies: Policy[],
    request: Decidable,
    claim?: Claim,
    context?: DecisionContext,
  ): Promise<Decided> {
    const decide = () => this.decisions.decide(policies, request, claim);
    return observeCheck(this.sink, context, request, policies, decide);
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
    for (const stateKey of stateKeys) this.decisions.forget(stateKey);
    return result;
  }

  /** Takes a lease of a concurrency policy, under its override and any block. */
  async acquire(input: PolicySubject, context?: DecisionContext): Promise<AcquireResult> {
    const request = parseInput(policySubjectSchema, input);
    const policy = namedPolicy(this.registry, request.policy);
    concurrencyLimit(policy);
    const acquire = () => this.acquireNow(policy, request);
    return observeLease(this.sink, context, policy.name, request, acquire);
  }

  private async acquireNow(policy: Policy, request: Identity): Promise<AcquireResult> {
    const ruled = await this.ruling.apply([policy], request);
    if ("blocked" in ruled) return blockedLease(ruled.blocked);
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
    this.decisions.forgetReset(stateKey, perBucket?.familyKey);
    return { key: stateKey };
  }

  stats(): LimiterStats {
    return {
      objectCalls: this.objects.calls,
      deniedFromCache: this.decisions.deniedFromCache,
      cachedDenials: this.decisions.cachedDenials,
    };
  }
}
