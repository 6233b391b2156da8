import { misplacedFields, telegramProblems } from "./consistency.ts";
import { inEnvironment, mergeEnvironment } from "./environments.ts";
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
  "lease",
  "enabled",
  "mode",
  "description",
];

function knownFields(path: string): string[] {
  if (path === "") return Object.keys(configSchema.shape);
  if (/^(environments\.[^.]+\.)?policies\./.test(path)) return POLICY_FIELDS;
  if (/^environments\.[^.]+$/.test(path)) return ["policies"];
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

/** Every environment's merged set, validated: each one a deployment may run. */
function environmentSets(base: ParsedConfig): Map<string, PolicySet> {
  const sets = new Map<string, PolicySet>();
  const problems: string[] = [];
  for (const name of Object.keys(base.environments ?? {})) {
    const merged = mergeEnvironment(base, name);
    problems.push(...merged.problems);
    if (merged.problems.length > 0) continue;
    const set = validate(merged.json);
    if ("problems" in set) problems.push(...set.problems.map((p) => inEnvironment(name, p)));
    else sets.set(name, set);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return sets;
}

/** The named policies: define once, reuse everywhere. */
export class Registry {
  readonly app: string;
  /** The environment whose policy set this is; undefined for the base alone. */
  readonly environment: string | undefined;
  /** Every environment policies.json defines, whichever is in force. */
  readonly environments: readonly string[];
  /** How long a decision may take, and what the HTTP and RPC doors answer past that. */
  readonly availability: ParsedConfig["limiter"];
  private readonly byName: ReadonlyMap<string, Policy>;
  private readonly telegram: TelegramConfig;

  private constructor(set: PolicySet, environment: string | undefined, environments: string[]) {
    const { app, telegram } = set.config;
    this.app = app;
    this.environment = environment;
    this.environments = environments;
    this.availability = set.config.limiter;
    this.byName = new Map(set.policies.map((policy) => [policy.name, policy]));
    this.telegram = telegram ?? { bots: {} };
  }

  /**
   * Validates a parsed `policies.json`, the base and every environment's merged set, and
   * holds the set of `environment` (the base alone when it is undefined or empty). Throws a
   * ConfigError listing every fault.
   */
  static fromJson(json: unknown, environment?: string): Registry {
    const base = validate(json);
    if ("problems" in base) throw new ConfigError(base.problems);
    const sets = environmentSets(base.config);
    const names = [...sets.keys()];
    if (environment === undefined || environment === "") {
      return new Registry(base, undefined, names);
    }
    const set = sets.get(environment);
    if (set === undefined) {
      throw new ConfigError([
        `environments.${environment} is not defined, and POLICY_ENV names it.${didYouMean(environment, names)}`,
      ]);
    }
    return new Registry(set, environment, names);
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
