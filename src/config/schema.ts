import { z } from "zod";
import { DEFAULT_IPV6_PREFIX, MAX_IPV6_PREFIX, MIN_IPV6_PREFIX } from "../core/ip.ts";
import { SCOPES } from "../core/scopes.ts";
import { expected, flag, integer, oneOf, token } from "./fields.ts";
import { telegramSchema } from "./telegram.ts";

export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_CAPACITY = 1_000_000;
/** Keeps integer token units (capacity × seconds × 1000) below 2^53. */
export const MAX_REFILL_SECONDS = 7 * 24 * 3600;
/** Bounds the exact sliding log kept per subject. */
export const MAX_WINDOW_LIMIT = 10_000;
export const MAX_WINDOW_SECONDS = 7 * 24 * 3600;
/** Most leases a concurrency policy may allow at once. */
export const MAX_LEASES = 10_000;

const common = {
  scope: oneOf(SCOPES)
    .default("user")
    .describe(
      "The broadest subject the policy counts over: user, chat, group (a user within a chat), " +
        "global, ip, or key (an id your app chooses). Default: user.",
    ),
  ipv6Prefix: integer(MIN_IPV6_PREFIX, MAX_IPV6_PREFIX)
    .optional()
    .describe(
      `For scope ip: an IPv6 client counts by its network of this many bits, ${MIN_IPV6_PREFIX}-${MAX_IPV6_PREFIX}. ` +
        `Default: ${DEFAULT_IPV6_PREFIX}. IPv4 always counts per address.`,
    ),
  method: token("method").optional().describe("Optional part of the key, e.g. sendMessage."),
  bucket: token("bucket").optional().describe("Optional part of the key, e.g. a handler name."),
  enabled: flag().default(true).describe("false: always allowed, and reported as disabled."),
  mode: oneOf(["enforce", "shadow"])
    .default("enforce")
    .describe("shadow: decided and reported, never denies."),
  description: z.string().max(500).optional(),
};

const throttle = z
  .strictObject({
    kind: z.literal("throttle"),
    rate: integer(1, MAX_CAPACITY).optional().describe("Tokens refilled every `per` seconds."),
    per: integer(1, MAX_REFILL_SECONDS).optional().describe("Seconds in which `rate` refill."),
    burst: integer(1, MAX_CAPACITY)
      .optional()
      .describe("Bucket size when larger than `rate`. Default: rate."),
    capacity: integer(1, MAX_CAPACITY).optional().describe("Bucket size (other spelling)."),
    refillPerMinute: integer(1, MAX_CAPACITY).optional().describe("Tokens refilled a minute."),
    ...common,
  })
  .check((ctx) => {
    const v = ctx.value;
    const issue = (path: string, message: string) =>
      ctx.issues.push({ code: "custom", path: [path], message, input: v });
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
  window: integer(1, 86_400).describe("Seconds during which the same fingerprint is rejected."),
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
  ttl: integer(1, 86_400).describe("Seconds after which a lease never released expires."),
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

export const configSchema = z.strictObject(
  {
    $schema: z.string().optional(),
    app: token("app name", 32).default("sentinel").describe("First part of every key."),
    policies: z
      .record(z.string(), policySchema, { error: expected("an object of named policies") })
      .check((ctx) => {
        const seen = new Map<string, string>();
        for (const name of Object.keys(ctx.value)) {
          if (!POLICY_NAME.test(name)) {
            ctx.issues.push({
              code: "custom",
              path: [name],
              input: name,
              message:
                "is not a valid policy name: use 1-64 letters, digits, _ . - (starting alnum)",
            });
          }
          const other = seen.get(name.toLowerCase());
          if (other !== undefined) {
            ctx.issues.push({
              code: "custom",
              path: [name],
              input: name,
              message: `differs from policy "${other}" only by case; names must differ by more`,
            });
          }
          seen.set(name.toLowerCase(), name);
        }
      }),
    limiter: z
      .strictObject({
        budgetMs: integer(10, 30_000)
          .default(1000)
          .describe("How long a decision may take before the limiter counts as unavailable."),
        failMode: oneOf(["open", "closed"])
          .default("closed")
          .describe(
            "HTTP and RPC when the limiter is unavailable: closed answers 503 / a denial, " +
              "open admits and says so. Telegram bots have their own failMode.",
          ),
      })
      .default({ budgetMs: 1000, failMode: "closed" }),
    telegram: telegramSchema.optional().describe("Bots whose webhooks this worker fronts."),
  },
  { error: expected("a JSON object") },
);

export type PolicyInput = z.input<typeof policySchema>;
export type ParsedPolicy = z.output<typeof policySchema>;
export type ParsedConfig = z.output<typeof configSchema>;
