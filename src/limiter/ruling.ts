import type { CheckResult } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";
import type { Identity } from "../core/scopes.ts";
import { EMPTY_SNAPSHOT, RuleSet } from "../rules/rule-set.ts";
import { LimiterUnavailableError } from "./calls.ts";
import { type InForce, inForce } from "./in-force.ts";
import { blockedResult } from "./outcome.ts";

/** The runtime rules as of no longer ago than their refresh bound (rules/cache.ts). */
export interface RulesSource {
  current(): Promise<RuleSet>;
}

export const NO_RULES: RulesSource = {
  current: async () => new RuleSet(EMPTY_SNAPSHOT, () => undefined),
};

/** Policies with the rules applied, and the generation of rules that applied them. */
export type Ruled = { policies: InForce[]; generation: number } | { blocked: CheckResult };

/**
 * Puts the runtime rules over checks: a block that covers any of a check's policies denies
 * it whole, with no object asked; otherwise each policy meets its override's limit, where one
 * applies. Rules it cannot fetch (past their freshness bound) make the limiter unavailable.
 */
export class Ruling {
  private readonly source: RulesSource;
  private readonly clock: () => number;
  private readonly onChange: () => void;
  private version = 0;
  /** When a rule in force next expires on its own, changing what applies. */
  private nextExpiryMs = Infinity;
  /**
   * Counts changes in what applies: a new version of the rules, or a rule expiring (which
   * changes no version). Whatever was decided under an earlier generation may not hold.
   */
  generation = 0;

  /** `onChange` runs when what applies differs from the last rules applied. */
  constructor(source: RulesSource, clock: () => number, onChange: () => void) {
    this.source = source;
    this.clock = clock;
    this.onChange = onChange;
  }

  async apply(policies: Policy[], identity: Identity): Promise<Ruled> {
    const rules = await this.current();
    const nowMs = this.clock();
    const ruled = policies.map((policy) =>
      inForce(policy, rules.limitFor(policy, identity, nowMs)),
    );
    const block = rules.blocking(
      identity,
      policies.map((policy) => policy.name),
      nowMs,
    );
    if (block === undefined) return { policies: ruled, generation: this.generation };
    const unique = [...new Map(ruled.map((policy) => [policy.name, policy])).values()];
    return { blocked: blockedResult(unique, block) };
  }

  private async current(): Promise<RuleSet> {
    let rules: RuleSet;
    try {
      rules = await this.source.current();
    } catch (error) {
      throw new LimiterUnavailableError((error as Error).message);
    }
    const nowMs = this.clock();
    if (rules.version !== this.version || nowMs >= this.nextExpiryMs) {
      this.version = rules.version;
      this.nextExpiryMs = rules.nextExpiryAfter(nowMs);
      this.generation++;
      this.onChange();
    }
    return rules;
  }
}
