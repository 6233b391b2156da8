import type { CheckResult } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";
import { DenialCache } from "../core/denial-cache.ts";
import { coordinate } from "./coordinator.ts";
import type { Claim, Decided, Ticket } from "./decided.ts";
import { aged, denialKey, MAX_CACHED_DENIALS } from "./denials.ts";
import { TokenGrants } from "./grants.ts";
import { type LeasedStep, leasedStep } from "./leased.ts";
import type { SubjectObjects } from "./objects.ts";
import { checkResult, policyResults } from "./outcome.ts";
import { type CheckPlan, claimHome, type Decidable, planCheck } from "./plan.ts";
import type { Ruling } from "./ruling.ts";

/**
 * How one isolate decides a check: rules applied, then its memory of recent denials, then the
 * objects in one batch per subject, then the leased policies' grants. It owns the two
 * memories that rules can make stale, and forgets both when they change.
 */
export class Decisions {
  private readonly denials = new DenialCache<CheckResult>(MAX_CACHED_DENIALS);
  private readonly grants: TokenGrants;
  private readonly app: string;
  private readonly objects: SubjectObjects;
  private readonly ruling: Ruling;
  private readonly clock: () => number;
  deniedFromCache = 0;

  constructor(
    app: string,
    objects: SubjectObjects,
    ruling: Ruling,
    clock: () => number,
    background?: (work: Promise<unknown>) => void,
  ) {
    this.app = app;
    this.objects = objects;
    this.ruling = ruling;
    this.clock = clock;
    this.grants = new TokenGrants(objects, clock, () => ruling.generation, background);
  }

  get cachedDenials(): number {
    return this.denials.size;
  }

  /** A denial remembered, or tokens granted, under other rules may no longer hold. */
  rulesChanged(): void {
    this.denials.clear();
    this.grants.clear();
  }

  /** Forgets remembered denials of a state that a refund has changed. */
  forget(stateKey: string): void {
    this.denials.forget(stateKey);
  }

  /**
   * Forgets what a reset makes stale: denials of the state (of its whole policy's buckets,
   * which a bucket's reset may make room for), and a grant refused for it.
   */
  forgetReset(stateKey: string, familyKey: string | undefined): void {
    this.denials.forget(familyKey ?? stateKey);
    this.grants.forget(stateKey);
  }

  async decide(
    policies: Policy[],
    request: Decidable,
    claim?: Claim,
  ): Promise<Decided & { fromCache?: true }> {
    const ruled = await this.ruling.apply(policies, request);
    if ("blocked" in ruled) {
      return { result: ruled.blocked, duplicate: false, ticket: { refunds: [] } };
    }
    const plan = planCheck(this.app, ruled.policies, request);
    const startMs = this.clock();
    const cacheKey = denialKey(stateKeysOf(plan), request.fingerprint);
    // A group's member answers with the group's verdict, which no remembered denial knows.
    const cached =
      cacheKey && !claim?.group ? this.denials.get(cacheKey, request.cost, startMs) : undefined;
    if (cached) {
      this.deniedFromCache++;
      const result = aged(cached.result, cached.remainingMs);
      return { result, duplicate: false, ticket: { refunds: [] }, fromCache: true };
    }
    const home = claim && claimHome(this.app, policies, request);
    const placed = claim && {
      key: claim.key,
      subjectKey: home ?? claim.fallbackSubjectKey,
      group: claim.group,
    };
    const leased = leasedStep(this.grants, plan, request.cost, ruled.generation);
    const run = await coordinate(this.objects, plan, placed, leased);
    const results = policyResults(plan, run.outcomes, run.admitted, leased?.outcomes);
    const result = checkResult(results, run.refused);
    // A denial decided under rules changed since may not hold under the new ones.
    const sameRules = ruled.generation === this.ruling.generation;
    if (cacheKey && !result.allowed && !run.duplicate && sameRules && !provisional(leased)) {
      // The horizon counts from before the call, so it is never later than the object's own.
      this.denials.set(cacheKey, request.cost, startMs + result.retryAfterMs, result, this.clock());
    }
    const ticket: Ticket = {
      claimSubjectKey: run.claimSubjectKey,
      claimKey: claim?.key,
      refunds: run.kept,
    };
    return { result, duplicate: run.duplicate, group: run.group, ticket };
  }
}

/** Every state a plan decides, in the objects' batches and from grants. */
function stateKeysOf(plan: CheckPlan): string[] {
  return [
    ...plan.batches.flatMap((batch) => batch.items.map((item) => item.stateKey)),
    ...plan.policies.flatMap((p) => (p.status === "leased" ? [p.stateKey] : [])),
  ];
}

/** A leased policy denied while a grant was on its way, which may admit once it is back. */
function provisional(leased: LeasedStep | undefined): boolean {
  if (leased === undefined) return false;
  for (const outcome of leased.outcomes.values()) {
    if (!outcome.allowed && "provisional" in outcome) return true;
  }
  return false;
}
