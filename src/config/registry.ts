import { misplacedFields, telegramProblems } from "./consistency.ts";
import { ConfigError, issueText } from "./errors.ts";
import { type Policy, toPolicy } from "./policy.ts";
import { configSchema, type ParsedConfig } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import type { BotConfig, TelegramConfig } from "./telegram.ts";

/** Thrown for a policy name the registry does not hold; the message suggests close names. */
export class UnknownPolicyError extends Error {
  readonly policy: string;

  constructor(policy: string, known: Iterable<string>) {
    super(`unknown policy "${policy}".${didYouMean(policy, known)}`);
    this.name = "UnknownPolicyError";
    this.policy = policy;
  }
}

/** Fields a policy may have, to suggest one for a misspelt field. */
const POLICY_FIELDS = [
  "kind",
  "rate",
  "per",
  "burst",
  "capacity",
  "refillPerMinute",
  "window",
  "limit",
  "ttl",
  "scope",
  "ipv6Prefix",
  "method",
  "bucket",
  "perRequestBucket",
  "maxBuckets",
  "enabled",
  "mode",
  "description",
];

function knownFields(path: string): string[] {
  if (path === "") return Object.keys(configSchema.shape);
  if (path.startsWith("policies.")) return POLICY_FIELDS;
  return [];
}

interface PolicySet {
  config: ParsedConfig;
  policies: Policy[];
}

/** A parsed config whose every fault is listed, or its policies. */
function validate(json: unknown): PolicySet | { problems: string[] } {
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => issueText(issue, knownFields)) };
  }
  const policies = Object.entries(parsed.data.policies).map(([name, p]) => toPolicy(name, p));
  const byName = new Map(policies.map((policy) => [policy.name, policy]));
  const problems = [...misplacedFields(parsed.data), ...telegramProblems(parsed.data, byName)];
  return problems.length > 0 ? { problems } : { config: parsed.data, policies };
}

/** The named policies: define once, reuse everywhere. */
export class Registry {
  readonly app: string;
  /** How long a decision may take, and what the HTTP and RPC doors answer past that. */
  readonly availability: ParsedConfig["limiter"];
  private readonly byName: ReadonlyMap<string, Policy>;
  private readonly telegram: TelegramConfig;

  private constructor(set: PolicySet) {
    const { app, telegram } = set.config;
    this.app = app;
    this.availability = set.config.limiter;
    this.byName = new Map(set.policies.map((policy) => [policy.name, policy]));
    this.telegram = telegram ?? { bots: {} };
  }

  /** Validates a parsed `policies.json`; throws a ConfigError listing every fault. */
  static fromJson(json: unknown): Registry {
    const set = validate(json);
    if ("problems" in set) throw new ConfigError(set.problems);
    return new Registry(set);
  }

  /** A bot of the `telegram.bots` section, or undefined. */
  bot(name: string): BotConfig | undefined {
    return Object.hasOwn(this.telegram.bots, name) ? this.telegram.bots[name] : undefined;
  }

  /** Every bot of the `telegram.bots` section, by name. */
  bots(): [string, BotConfig][] {
    return Object.entries(this.telegram.bots);
  }

  get(name: string): Policy {
    const policy = this.byName.get(name);
    if (policy === undefined) throw new UnknownPolicyError(name, this.byName.keys());
    return policy;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  list(): Policy[] {
    return [...this.byName.values()];
  }
}
