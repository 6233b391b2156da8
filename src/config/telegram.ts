import { z } from "zod";
import {
  ENV_NAME,
  envName,
  expected,
  flag,
  integer,
  isHttpsOrLoopback,
  oneOf,
  shown,
} from "./fields.ts";
import { gatewaySchema } from "./gateway.ts";

const CHAT_TYPES = ["private", "group", "supergroup", "channel"] as const;

/** An https URL, a loopback http URL (local development), or a service binding's name. */
const origin = z
  .string({ error: expected("an https URL or the name of a service binding") })
  .refine((value) => ENV_NAME.test(value) || isHttpsOrLoopback(value), {
    error: (iss) =>
      `must be an https URL (http only for localhost) or a service binding name, got ${shown(iss.input)}`,
  })
  .describe("Where passing updates go: an https URL, or the name of a service binding.");

const onDeny = z
  .union(
    [
      z.literal("drop"),
      z.strictObject({
        reply: z
          .string({ error: expected("the text of the notice") })
          .min(1)
          .max(200, { error: "must be at most 200 characters (Telegram's callback answer limit)" }),
        noticeEverySeconds: integer(1, 86_400)
          .default(60)
          .describe("A message notice goes to one user in one chat at most this often."),
        showAlert: flag().default(false).describe("For buttons: an alert instead of a toast."),
      }),
    ],
    { error: expected('"drop" or { "reply": "<text>" }') },
  )
  .default("drop")
  .describe('What a denied update gets: "drop" (empty 200) or a reply.');

const policyNames = z
  .array(z.string({ error: expected("a policy name") }), {
    error: expected("an array of policy names"),
  })
  .max(16, { error: "must name at most 16 policies" });

const match = z
  .strictObject({
    updateTypes: z.array(z.string()).min(1).optional().describe("e.g. message, callback_query"),
    chatTypes: z.array(oneOf(CHAT_TYPES)).min(1).optional(),
    commands: z
      .array(z.string().regex(/^\/[A-Za-z0-9_]{1,32}$/, { error: 'must look like "/start"' }))
      .min(1)
      .optional()
      .describe("Bot commands, with or without @YourBot and arguments in the message."),
    callbackPrefix: z.string().min(1).max(64).optional(),
    textPattern: z
      .string()
      .max(200)
      .refine(
        (pattern) => {
          try {
            new RegExp(pattern, "u");
            return true;
          } catch {
            return false;
          }
        },
        { error: "must be a valid regular expression" },
      )
      .optional()
      .describe("A regular expression (JavaScript, unicode) tested against text or caption."),
  })
  .describe("Every condition given must hold; none given matches every update.");

/** Where a rule's update names the bucket of its policies that take one per request. */
export const BUCKET_SOURCES = ["command", "callbackAction", "updateType"] as const;

const bucketFrom = oneOf(BUCKET_SOURCES)
  .optional()
  .describe(
    "The bucket for the rule's policies with perRequestBucket: command (/start, without " +
      "@bot and arguments), callbackAction (callback data up to its first ':'), or updateType.",
  );

const rule = z.strictObject({
  name: z.string().min(1).max(64).optional(),
  match: match.default({}),
  policies: policyNames,
  bucketFrom,
  onDeny,
});

type BotFields = {
  origin?: string | undefined;
  secretTokenSecret?: string | undefined;
  originSecret?: string | undefined;
  rules: unknown[];
  default: { policies: string[] };
  gateway?: unknown;
};

/**
 * A bot has the webhook front (origin and secretTokenSecret), the gateway, or both; the
 * webhook's own fields mean nothing without it.
 */
function webhookOrGateway(value: BotFields, issues: z.core.$ZodRawIssue[]) {
  const issue = (path: PropertyKey[], message: string) =>
    issues.push({ code: "custom", path, message, input: value });
  if (value.origin !== undefined && value.secretTokenSecret === undefined) {
    issue(["secretTokenSecret"], "is required with origin");
  } else if (value.secretTokenSecret !== undefined && value.origin === undefined) {
    issue(["origin"], "is required with secretTokenSecret");
  } else if (value.origin === undefined) {
    if (value.gateway === undefined) {
      issue([], "needs origin and secretTokenSecret (the webhook front), a gateway, or both");
    }
    const webhookOnly = [
      value.rules.length > 0 && "rules",
      value.default.policies.length > 0 && "default",
      value.originSecret !== undefined && "originSecret",
    ].filter((field) => field !== false);
    for (const field of webhookOnly) {
      issue([field], "applies to the webhook front, which needs origin and secretTokenSecret");
    }
  }
}

const bot = z
  .strictObject({
    origin: origin.optional(),
    secretTokenSecret: envName("the secret holding the webhook's secret_token")
      .optional()
      .describe("Name of the secret (wrangler secret put NAME) holding setWebhook's secret_token."),
    originSecret: envName("the secret sent to the origin")
      .optional()
      .describe(
        "Name of the secret sent to the origin as X-Telegram-Bot-Api-Secret-Token. " +
          "Default: the webhook's own secret, so an unchanged bot accepts forwarded updates.",
      ),
    username: z
      .string()
      .regex(/^[A-Za-z0-9_]{3,64}$/)
      .optional()
      .describe(
        "The bot's username: commands addressed to another bot (/start@Other) do not match.",
      ),
    timeoutSeconds: integer(1, 55).default(50).describe("Origin timeout; Telegram waits ~60 s."),
    failMode: oneOf(["open", "closed"])
      .default("open")
      .describe("If the limiter fails: open forwards the update, closed asks Telegram to retry."),
    rules: z.array(rule).max(64).default([]),
    default: z
      .strictObject({ policies: policyNames, bucketFrom, onDeny })
      .default({ policies: [], onDeny: "drop" })
      .describe("What applies to an update no rule matches."),
    gateway: gatewaySchema.optional(),
  })
  .check((ctx) => webhookOrGateway(ctx.value, ctx.issues));

export const telegramSchema = z.strictObject({
  bots: z.record(
    z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1-64 of A-Z a-z 0-9 _ -" }),
    bot,
  ),
});

export type TelegramConfig = z.output<typeof telegramSchema>;
export type BotConfig = z.output<typeof bot>;
/** A bot whose webhooks this worker fronts. */
export type WebhookBot = BotConfig & { origin: string; secretTokenSecret: string };

export function hasWebhook(bot: BotConfig): bot is WebhookBot {
  return bot.origin !== undefined && bot.secretTokenSecret !== undefined;
}
export type RuleConfig = z.output<typeof rule>;
export type OnDeny = z.output<typeof onDeny>;
export type BucketSource = (typeof BUCKET_SOURCES)[number];
