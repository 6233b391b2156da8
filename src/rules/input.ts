import { z } from "zod";
import type { BlockInput, OverrideInput, RuleIdentity } from "../client/types.ts";
import { ConfigError } from "../config/errors.ts";
import { expected, integer, shown } from "../config/fields.ts";
import { parseLimitFields } from "../config/limit-fields.ts";
import type { Policy } from "../config/policy.ts";
import type { Registry } from "../config/registry.ts";
import { leaseProblem, MIN_LEASED_CAPACITY } from "../core/grant.ts";
import { ipNetworkId } from "../core/ip.ts";
import type { Limit } from "../core/limits.ts";
import type { Scope } from "../core/scopes.ts";
import { InputError, identifier, namedPolicy, parseInput, policyName } from "../limiter/request.ts";
import { parseIpMatch } from "./network.ts";

/** The longest a rule may last: a year; longer is "until removed" (no `seconds`). */
export const MAX_RULE_SECONDS = 366 * 24 * 3600;

const ipOrPrefix = z
  .string({ error: expected("an IP address or a CIDR prefix") })
  .transform((value, ctx) => {
    const match = parseIpMatch(value);
    if (match === undefined) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: `must be an IPv4 or IPv6 address or CIDR prefix, got ${shown(value)}`,
      });
      return value;
    }
    return match.kind === "address" ? match.address : match.cidr;
  });

const identityShape = {
  user: identifier.optional(),
  chat: identifier.optional(),
  ip: ipOrPrefix.optional(),
  key: identifier.optional(),
};

const common = {
  seconds: integer(1, MAX_RULE_SECONDS).optional(),
  reason: z
    .string({ error: expected("a string") })
    .max(500)
    .optional(),
};

const blockSchema = z.strictObject({
  ...identityShape,
  policies: z
    .array(policyName, { error: expected("an array of policy names") })
    .max(64)
    .optional(),
  ...common,
});

const overrideSchema = z.strictObject({
  ...identityShape,
  limit: z.union([z.literal("unlimited"), z.record(z.string(), z.unknown())], {
    error: expected('"unlimited" or an object of the policy\'s limit fields'),
  }),
  ...common,
});

const BLOCK_FIELDS = ["user", "chat", "ip", "key", "policies", "seconds", "reason"];
const OVERRIDE_FIELDS = ["user", "chat", "ip", "key", "limit", "seconds", "reason"];

function identityOf(parsed: RuleIdentity): RuleIdentity {
  const identity: RuleIdentity = {};
  for (const field of ["user", "chat", "ip", "key"] as const) {
    if (parsed[field] !== undefined) identity[field] = parsed[field];
  }
  return identity;
}

const given = (identity: RuleIdentity) => Object.keys(identity).sort().join(" and ");

/** A block's fields, checked: one identity, known policies, a positive duration. */
export function parseBlock(registry: Registry, input: BlockInput | unknown) {
  const parsed = parseInput(blockSchema, input, BLOCK_FIELDS);
  const identity = identityOf(parsed);
  if (Object.keys(identity).length !== 1) {
    throw new InputError("a block names exactly one of user, chat, ip or key");
  }
  const policies = parsed.policies && [...new Set(parsed.policies)];
  for (const name of policies ?? []) namedPolicy(registry, name);
  return { identity, policies, seconds: parsed.seconds, reason: parsed.reason };
}

/** What an override may name for each scope, besides nothing (the whole policy). */
const SCOPE_IDENTITY: Record<Scope, string | undefined> = {
  user: "user",
  chat: "chat",
  group: "chat and user",
  ip: "ip",
  key: "key",
  global: undefined,
};

/** An override's fields, checked against its policy: the identity its scope reads, a valid limit. */
export function parseOverride(
  registry: Registry,
  policyNameText: string,
  input: OverrideInput | unknown,
) {
  const policy: Policy = namedPolicy(registry, policyNameText);
  const parsed = parseInput(overrideSchema, input, OVERRIDE_FIELDS);
  const identity = identityOf(parsed);
  const fits = SCOPE_IDENTITY[policy.scope];
  if (Object.keys(identity).length > 0 && given(identity) !== fits) {
    const what = fits === undefined ? "nothing" : `${fits}, or nothing`;
    throw new InputError(
      `policy "${policy.name}" has scope ${policy.scope}: an override names ${what} ` +
        `(for the whole policy), got ${given(identity)}`,
    );
  }
  if (policy.scope === "ip" && identity.ip !== undefined) ipv6Wide(policy, identity.ip);
  const limit = parsed.limit === "unlimited" ? "unlimited" : limitFields(policy, parsed.limit);
  return {
    policy,
    identity,
    limit: parsed.limit,
    parsedLimit: limit,
    seconds: parsed.seconds,
    reason: parsed.reason,
  };
}

/**
 * An ip-scoped policy counts an IPv6 client by its network: an override on part of one would
 * let the client pick, request by request, which limit its shared state is decided under.
 */
function ipv6Wide(policy: Policy, ip: string): void {
  if (!ip.includes(":")) return;
  const bits = ip.includes("/") ? Number(ip.split("/")[1]) : 128;
  if (bits <= policy.ipv6Prefix) return;
  const network = ipNetworkId(ip.split("/")[0] as string, policy.ipv6Prefix).replaceAll("-", ":");
  throw new InputError(
    `policy "${policy.name}" counts IPv6 clients by /${policy.ipv6Prefix} networks: an override ` +
      `names a /${policy.ipv6Prefix} or a wider prefix (here ${network}), got ${ip}`,
  );
}

function limitFields(policy: Policy, fields: unknown): Limit {
  try {
    const limit = parseLimitFields(policy.limit.kind, fields);
    if (policy.lease && limit.kind === "throttle" && limit.capacity < MIN_LEASED_CAPACITY) {
      throw new InputError(
        `policy "${policy.name}" is leased: an override needs a bucket of at least ` +
          `${MIN_LEASED_CAPACITY} tokens, got ${limit.capacity}`,
      );
    }
    const problem = policy.lease && limit.kind === "throttle" && leaseProblem(limit);
    if (problem) {
      throw new InputError(`policy "${policy.name}" is leased: an override ${problem}`);
    }
    return limit;
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(error.problems.join("; "));
    throw error;
  }
}
