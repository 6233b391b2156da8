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
  "enabled",
  "mode",
  "description",
];

function knownFields(path: string): string[] {
  if (path === "") return Object.keys(configSchema.shape);
  if (path.startsWith("policies.")) return POLICY_FIELDS;
  return [];
}

/** Fields that are valid but would do nothing where they stand: a mistake worth naming. */
function misplacedFields(config: ParsedConfig): string[] {
  return Object.entries(config.policies).flatMap(([name, policy]) =>
    policy.ipv6Prefix !== undefined && policy.scope !== "ip"
      ? [
          `policies.${name}.ipv6Prefix applies only to scope ip, and this policy has scope ${policy.scope}`,
        ]
      : [],
  );
}

/** The named policies: define once, reuse everywhere. */
export class Registry {
  readonly app: string;
  /** How long a decision may take, and what the HTTP and RPC doors answer past that. */
  readonly availability: ParsedConfig["limiter"];
  private readonly byName: ReadonlyMap<string, Policy>;
  private readonly telegram: TelegramConfig;

  private constructor(config: ParsedConfig, policies: Policy[]) {
    const { app, telegram } = config;
    this.app = app;
    this.availability = config.limiter;
    this.byName = new Map(policies.map((policy) => [policy.name, policy]));
    this.telegram = telegram ?? { bots: {} };
  }

  /** Validates a parsed `policies.json`; throws a ConfigError listing every fault. */
  static fromJson(json: unknown): Registry {
    const parsed = configSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(parsed.error.issues.map((issue) => issueText(issue, knownFields)));
    }
    const policies = Object.entries(parsed.data.policies).map(([name, p]) => toPolicy(name, p));
    const registry = new Registry(parsed.data, policies);
    const problems = [...misplacedFields(parsed.data), ...registry.danglingReferences(parsed.data)];
    if (problems.length > 0) throw new ConfigError(problems);
    return registry;
  }

  /** A bot of the `telegram.bots` section, or undefined. */
  bot(name: string): BotConfig | undefined {
    return Object.hasOwn(this.telegram.bots, name) ? this.telegram.bots[name] : undefined;
  }

  /** Every bot of the `telegram.bots` section, by name. */
  bots(): [string, BotConfig][] {
    return Object.entries(this.telegram.bots);
  }

  /** Rules may only name policies that exist and that a check can decide. */
  private danglingReferences(config: ParsedConfig): string[] {
    const problems: string[] = [];
    for (const [botName, bot] of Object.entries(config.telegram?.bots ?? {})) {
      const lists = [
        ...bot.rules.map((rule, i) => ({ at: `rules[${i}]`, names: rule.policies })),
        { at: "default", names: bot.default.policies },
      ];
      for (const { at, names } of lists) {
        names.forEach((name, j) => {
          const where = `telegram.bots.${botName}.${at}.policies[${j}]`;
          const policy = this.byName.get(name);
          if (policy === undefined) {
            problems.push(
              `${where} names unknown policy "${name}".${didYouMean(name, this.byName.keys())}`,
            );
          } else if (policy.limit.kind === "concurrency") {
            problems.push(`${where} names "${name}", a concurrency policy, which needs leases`);
          } else if (policy.scope === "ip" || policy.scope === "key") {
            // Updates come from Telegram's servers: no client address, no app key.
            problems.push(
              `${where} names "${name}", scoped by ${policy.scope}, which a Telegram update never carries`,
            );
          }
        });
      }
    }
    return problems;
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
