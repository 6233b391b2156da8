import { THROTTLE_SPELLINGS } from "./policy-schema.ts";
import type { ParsedConfig } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

// A wrangler environment (`[env.staging]`, `wrangler deploy --env staging`) runs the base
// policies with the changes its section of `environments` makes. The merged set is checked by
// the same validator as the base, so its faults read the same, named in the environment.

type Patch = NonNullable<ParsedConfig["environments"]>[string]["policies"][string];
type PolicyFields = Record<string, unknown>;

function given(patch: Patch): PolicyFields {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

/**
 * A throttle says its limit in one of two spellings. A patch written in one replaces the
 * base's limit whichever spelling that used, rather than mixing the two into an error.
 */
function withoutOtherSpelling(base: PolicyFields, patch: PolicyFields): PolicyFields {
  if (base.kind !== "throttle") return base;
  const kept = { ...base };
  for (const spelling of THROTTLE_SPELLINGS) {
    if (!spelling.some((field) => field in patch)) continue;
    for (const other of THROTTLE_SPELLINGS) {
      if (other !== spelling) for (const field of other) delete kept[field];
    }
  }
  return kept;
}

/**
 * The config an environment runs, as input for the validator: the base with the environment's
 * changes. Faults of the changes themselves (a kind that changes, a policy the base lacks
 * given without its kind) come back as problems; everything else the validator finds.
 */
export function mergeEnvironment(
  base: ParsedConfig,
  name: string,
): { json: PolicyFields; problems: string[] } {
  const patches = base.environments?.[name]?.policies ?? {};
  // A Map, not an object: a policy named "__proto__" must reach the validator as a name.
  const policies = new Map<string, PolicyFields>(Object.entries(base.policies));
  const problems: string[] = [];
  for (const [policyName, patch] of Object.entries(patches)) {
    const at = `environments.${name}.policies.${policyName}`;
    const changes = given(patch);
    const original = Object.hasOwn(base.policies, policyName)
      ? base.policies[policyName]
      : undefined;
    if (original === undefined) {
      if (changes.kind === undefined) {
        const close = didYouMean(policyName, Object.keys(base.policies));
        problems.push(`${at} is not a base policy: give its kind to add it here.${close}`);
      } else {
        policies.set(policyName, changes);
      }
    } else if (changes.kind !== undefined && changes.kind !== original.kind) {
      problems.push(
        `${at}.kind cannot change: the base policy is a ${original.kind}, got "${String(changes.kind)}"`,
      );
    } else {
      policies.set(policyName, { ...withoutOtherSpelling(original, changes), ...changes });
    }
  }
  const { environments: _, ...rest } = base;
  return { json: { ...rest, policies: Object.fromEntries(policies) }, problems };
}

/** A fault of a merged set, said in terms of the environment that made it. */
export function inEnvironment(name: string, problem: string): string {
  // One problem may hold several lines (unknown fields, one a line).
  return problem
    .split("\n  - ")
    .map((line) =>
      line.startsWith("policies.")
        ? `environments.${name}.${line}`
        : `${line} (in environment ${name})`,
    )
    .join("\n  - ");
}
