import type { OverrideRule } from "../client/types.ts";
import { parseLimitFields } from "../config/limit-fields.ts";
import type { Registry } from "../config/registry.ts";
import type { Limit } from "../core/limits.ts";
import { RuleSet, type RulesSnapshot } from "./rule-set.ts";

/**
 * A snapshot compiled against this deployment's policies. An override whose policy is gone,
 * or whose fields no longer fit its policy's kind (policies.json changed since), is dropped:
 * the policy's own limit applies.
 */
export function compileRules(registry: Registry, snapshot: RulesSnapshot): RuleSet {
  return new RuleSet(snapshot, (rule: OverrideRule): Limit | "unlimited" | undefined => {
    if (!registry.has(rule.policy)) return undefined;
    if (rule.limit === "unlimited") return "unlimited";
    try {
      return parseLimitFields(registry.get(rule.policy).limit.kind, rule.limit);
    } catch {
      return undefined;
    }
  });
}
