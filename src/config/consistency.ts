import type { Policy } from "./policy.ts";
import type { ParsedConfig } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

// Faults of a config whose every field is valid on its own but not together with the rest.

/** Fields that are valid but would do nothing where they stand: a mistake worth naming. */
export function misplacedFields(config: ParsedConfig): string[] {
  return Object.entries(config.policies).flatMap(([name, policy]) => {
    const problems: string[] = [];
    if (policy.ipv6Prefix !== undefined && policy.scope !== "ip") {
      problems.push(
        `policies.${name}.ipv6Prefix applies only to scope ip, and this policy has scope ${policy.scope}`,
      );
    }
    if (policy.maxBuckets !== undefined && !policy.perRequestBucket) {
      problems.push(`policies.${name}.maxBuckets applies only with "perRequestBucket": true`);
    }
    return problems;
  });
}

type Bot = NonNullable<ParsedConfig["telegram"]>["bots"][string];

/** A bot's rules and default, each with where it stands in the file and how people call it. */
function ruleLists(botName: string, bot: Bot) {
  const at = `telegram.bots.${botName}`;
  return [
    ...bot.rules.map((rule, i) => ({
      at: `${at}.rules[${i}]`,
      label: `${at}.rules[${i}]${rule.name ? ` ("${rule.name}")` : ""}`,
      ...rule,
    })),
    { at: `${at}.default`, label: `${at}.default`, ...bot.default },
  ];
}

/** What a policy a rule names must be for a Telegram update to be checked against it. */
function referenceProblem(name: string, policies: ReadonlyMap<string, Policy>) {
  const policy = policies.get(name);
  if (policy === undefined) {
    return `names unknown policy "${name}".${didYouMean(name, policies.keys())}`;
  }
  if (policy.limit.kind === "concurrency") {
    return `names "${name}", a concurrency policy, which needs leases`;
  }
  if (policy.scope === "ip" || policy.scope === "key") {
    // Updates come from Telegram's servers: no client address, no app key.
    return `names "${name}", scoped by ${policy.scope}, which a Telegram update never carries`;
  }
  return undefined;
}

/**
 * Rules may only name policies that exist and that a check can decide; a rule that takes a
 * bucket from its updates needs a policy that counts per bucket, and a policy that counts per
 * bucket needs a rule that gives it one, or it would never count.
 */
export function telegramProblems(
  config: ParsedConfig,
  policies: ReadonlyMap<string, Policy>,
): string[] {
  const problems: string[] = [];
  for (const [botName, bot] of Object.entries(config.telegram?.bots ?? {})) {
    for (const rule of ruleLists(botName, bot)) {
      rule.policies.forEach((name, j) => {
        const problem = referenceProblem(name, policies);
        if (problem) problems.push(`${rule.at}.policies[${j}] ${problem}`);
      });
      const takers = rule.policies.filter((name) => policies.get(name)?.perRequestBucket);
      if (rule.bucketFrom !== undefined && takers.length === 0) {
        problems.push(
          `${rule.label} has bucketFrom "${rule.bucketFrom}", but none of its policies takes ` +
            `a bucket: set "perRequestBucket": true on one, or remove bucketFrom`,
        );
      }
      if (rule.bucketFrom === undefined && takers.length > 0) {
        const named = takers.map((name) => `"${name}"`).join(", ");
        const counts = takers.length === 1 ? "counts" : "count";
        problems.push(
          `${rule.label} names ${named}, which ${counts} per bucket, but has no bucketFrom ` +
            "to take one from the update, so it would never count",
        );
      }
    }
  }
  return problems;
}
