import { ConfigError, issueText } from "./errors.ts";
import { type Policy, toPolicy } from "./policy.ts";
import { configSchema } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

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

/** The named policies: define once, reuse everywhere. */
export class Registry {
  readonly app: string;
  private readonly byName: ReadonlyMap<string, Policy>;

  private constructor(app: string, policies: Policy[]) {
    this.app = app;
    this.byName = new Map(policies.map((policy) => [policy.name, policy]));
  }

  /** Validates a parsed `policies.json`; throws a ConfigError listing every fault. */
  static fromJson(json: unknown): Registry {
    const parsed = configSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(parsed.error.issues.map((issue) => issueText(issue, knownFields)));
    }
    const policies = Object.entries(parsed.data.policies).map(([name, p]) => toPolicy(name, p));
    return new Registry(parsed.data.app, policies);
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
