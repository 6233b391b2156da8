import { z } from "zod";
import { leaseProblem, MIN_LEASED_CAPACITY } from "../core/grant.ts";
import { DEFAULT_IPV6_PREFIX, MAX_IPV6_PREFIX, MIN_IPV6_PREFIX } from "../core/ip.ts";
import { SCOPES } from "../core/scopes.ts";
import { flag, integer, oneOf, token } from "./fields.ts";

export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_CAPACITY = 1_000_000;
/** Keeps integer token units (capacity × seconds × 1000) below 2^53. */
export const MAX_REFILL_SECONDS = 7 * 24 * 3600;
/** Bounds the exact sliding log kept per subject. */
export const MAX_WINDOW_LIMIT = 10_000;
export const MAX_WINDOW_SECONDS = 7 * 24 * 3600;
const MAX_DEBOUNCE_SECONDS = 86_400;
/** Most leases a concurrency policy may allow at once. */
export const MAX_LEASES = 10_000;
const MAX_TTL_SECONDS = 86_400;
/** Live buckets of one per-request-bucket policy on one subject: by default, and at most. */
export const DEFAULT_MAX_BUCKETS = 64;
export const MAX_MAX_BUCKETS = 1024;

// Every field without its default: an environment's changes (config/environments.ts) take
// these, so a field left out keeps the base's value rather than turning back to a default.
const fields = {
  scope: oneOf(SCOPES).describe(
    "The broadest subject the policy counts over: user, chat, group (a user within a chat), " +
      "global, ip, or key (an id your app chooses). Default: user.",
  ),
  ipv6Prefix: integer(MIN_IPV6_PREFIX, MAX_IPV6_PREFIX).describe(
    `For scope ip: an IPv6 client counts by its network of this many bits, ${MIN_IPV6_PREFIX}-${MAX_IPV6_PREFIX}. ` +
      `Default: ${DEFAULT_IPV6_PREFIX}. IPv4 always counts per address.`,
  ),
  method: token("method").describe("Optional part of the key, e.g. sendMessage."),
  bucket: token("bucket").describe("Optional part of the key, e.g. a handler name."),
  perRequestBucket: flag().describe(
    "true: each check names a bucket (an OAuth provider, a command, a button action), " +
      "counted apart within the same subject; a check without one skips the policy.",
  ),
  maxBuckets: integer(1, MAX_MAX_BUCKETS).describe(
    "With perRequestBucket: how many buckets may be live (not yet recovered) at once per " +
      `subject; past that a new bucket is denied. Default: ${DEFAULT_MAX_BUCKETS}.`,
  ),
  enabled: flag().describe("false: always allowed, and reported as disabled."),
  mode: oneOf(["enforce", "shadow"]).describe("shadow: decided and reported, never denies."),
  description: z.string().max(500),
};

const common = {
  scope: fields.scope.default("user"),
  ipv6Prefix: fields.ipv6Prefix.optional(),
  method: fields.method.optional(),
  bucket: fields.bucket.optional(),
  perRequestBucket: fields.perRequestBucket.default(false),
  maxBuckets: fields.maxBuckets.optional(),
  enabled: fields.enabled.default(true),
  mode: fields.mode.default("enforce"),
  description: fields.description.optional(),
};

const throttleFields = {
  rate: integer(1, MAX_CAPACITY).describe("Tokens refilled every `per` seconds."),
  per: integer(1, MAX_REFILL_SECONDS).describe("Seconds in which `rate` refill."),
  burst: integer(1, MAX_CAPACITY).describe("Bucket size when larger than `rate`. Default: rate."),
  capacity: integer(1, MAX_CAPACITY).describe("Bucket size (other spelling)."),
  refillPerMinute: integer(1, MAX_CAPACITY).describe("Tokens refilled a minute."),
  lease: flag().describe(
    "true: each worker isolate takes a small batch of tokens at a time and admits from it " +
      'locally, for a key too hot for one object (README, "Hot keys"). Enforced policies only.',
  ),
};

/** A throttle's two spellings: a field of one never combines with a field of the other. */
export const THROTTLE_SPELLINGS = [
  ["rate", "per", "burst"],
  ["capacity", "refillPerMinute"],
] as const;

const throttle = z
  .strictObject({
    kind: z.literal("throttle"),
    rate: throttleFields.rate.optional(),
    per: throttleFields.per.optional(),
    burst: throttleFields.burst.optional(),
    capacity: throttleFields.capacity.optional(),
    refillPerMinute: throttleFields.refillPerMinute.optional(),
    lease: throttleFields.lease.default(false),
    ...common,
  })
  .check((ctx) => {
    const v = ctx.value;
    const issue = (path: string, message: string) =>
      ctx.issues.push({ code: "custom", path: [path], message, input: v });
    if (v.lease && v.mode === "shadow") {
      issue("lease", "applies to enforced policies: a shadow policy is decided by its object");
    }
    if (v.lease && v.perRequestBucket) {
      issue("lease", "cannot be combined with perRequestBucket, whose buckets its object bounds");
    }
    const capacity = v.capacity ?? v.burst ?? v.rate ?? MIN_LEASED_CAPACITY;
    // Either spelling, as far as it is given: what is missing is reported below.
    const refillTokens = v.refillPerMinute ?? v.rate ?? 1;
    const refillSeconds = v.refillPerMinute !== undefined ? 60 : (v.per ?? 1);
    const problem =
      v.lease && leaseProblem({ kind: "throttle", capacity, refillTokens, refillSeconds });
    if (problem) issue("lease", problem);
    const rateSpelling = v.rate !== undefined || v.per !== undefined || v.burst !== undefined;
    const capacitySpelling = v.capacity !== undefined || v.refillPerMinute !== undefined;
    if (rateSpelling && capacitySpelling) {
      issue("capacity", "cannot be combined with rate/per/burst: use one spelling");
    } else if (capacitySpelling) {
      if (v.capacity === undefined) issue("capacity", "is required with refillPerMinute");
      if (v.refillPerMinute === undefined) issue("refillPerMinute", "is required with capacity");
    } else {
      if (v.rate === undefined) issue("rate", "is required (or use capacity + refillPerMinute)");
      if (v.per === undefined) issue("per", "is required with rate");
      if (v.burst !== undefined && v.rate !== undefined && v.burst < v.rate) {
        issue("burst", `must be at least rate (${v.rate}), got ${v.burst}`);
      }
    }
  });

const debounce = z.strictObject({
  kind: z.literal("debounce"),
  window: integer(1, MAX_DEBOUNCE_SECONDS).describe(
    "Seconds during which the same fingerprint is rejected.",
  ),
  ...common,
});

const window = z.strictObject({
  kind: z.literal("window"),
  limit: integer(1, MAX_WINDOW_LIMIT).describe("Most cost admitted in any sliding window."),
  window: integer(1, MAX_WINDOW_SECONDS).describe("Window length in seconds."),
  ...common,
});

const concurrency = z.strictObject({
  kind: z.literal("concurrency"),
  limit: integer(1, MAX_LEASES).describe("Most leases held at once."),
  ttl: integer(1, MAX_TTL_SECONDS).describe("Seconds after which a lease never released expires."),
  ...common,
});

export const KINDS = ["throttle", "debounce", "window", "concurrency"] as const;

export const policySchema = z.discriminatedUnion(
  "kind",
  [throttle, debounce, window, concurrency],
  {
    error: (iss) =>
      iss.code === "invalid_union" && iss.path?.at(-1) === "kind"
        ? `must be one of ${KINDS.join(", ")}`
        : undefined,
  },
);

/**
 * An environment's changes to one policy: any field of any kind, none required, no defaults.
 * Each field is checked here on its own; the merged policy is then checked whole, by
 * `policySchema`, for what its kind allows.
 */
export const policyPatchSchema = z
  .strictObject({
    kind: oneOf(KINDS)
      .optional()
      .describe("Only to add a policy the base does not define; a policy's kind never changes."),
    rate: throttleFields.rate.optional(),
    per: throttleFields.per.optional(),
    burst: throttleFields.burst.optional(),
    capacity: throttleFields.capacity.optional(),
    refillPerMinute: throttleFields.refillPerMinute.optional(),
    lease: throttleFields.lease.optional(),
    scope: fields.scope.optional(),
    ipv6Prefix: fields.ipv6Prefix.optional(),
    method: fields.method.optional(),
    bucket: fields.bucket.optional(),
    perRequestBucket: fields.perRequestBucket.optional(),
    maxBuckets: fields.maxBuckets.optional(),
    enabled: fields.enabled.optional(),
    mode: fields.mode.optional(),
    description: fields.description.optional(),
    window: integer(1, MAX_WINDOW_SECONDS)
      .optional()
      .describe("Seconds: a debounce's or window's."),
    limit: integer(1, Math.max(MAX_WINDOW_LIMIT, MAX_LEASES))
      .optional()
      .describe("A window's most cost, or a concurrency policy's most leases."),
    ttl: integer(1, MAX_TTL_SECONDS).optional().describe("A concurrency policy's lease ttl."),
  })
  .describe("Fields given replace the base policy's; the rest stay as the base has them.");

export type PolicyInput = z.input<typeof policySchema>;
export type ParsedPolicy = z.output<typeof policySchema>;
export type PolicyPatch = z.output<typeof policyPatchSchema>;
