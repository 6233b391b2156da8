import { z } from "zod";
import { envName, expected, integer, isHttpsOrLoopback, shown } from "./fields.ts";

/** Telegram's published flood limits, the defaults of every field below. */
export const TELEGRAM_LIMITS = {
  perChat: { rate: 1, per: 1 },
  perGroup: { rate: 20, per: 60 },
  perBot: { rate: 30, per: 1 },
} as const;
export const TELEGRAM_API = "https://api.telegram.org";
/**
 * python-telegram-bot gives up on a call after 5 s (its default read timeout) and a client
 * that gives up sends the same message again: 3 s of waiting leaves 2 s for Telegram's answer.
 */
export const DEFAULT_MAX_WAIT_SECONDS = 3;
/** Reservations reach at most this far ahead, which bounds what the bot's object keeps. */
export const MAX_WAIT_SECONDS_LIMIT = 60;
const MAX_RATE = 10_000;
const MAX_PER_SECONDS = 3600;

const rate = (fallback: number) =>
  integer(1, MAX_RATE).default(fallback).describe("Messages allowed in every `per` seconds.");
const per = (fallback: number) =>
  integer(1, MAX_PER_SECONDS).default(fallback).describe("Seconds the `rate` applies to.");

const perChat = z
  .strictObject({
    rate: rate(TELEGRAM_LIMITS.perChat.rate),
    per: per(TELEGRAM_LIMITS.perChat.per),
    burst: integer(1, MAX_RATE)
      .optional()
      .describe(
        "Messages one chat may get at once; 1 spaces every send by per/rate. Default: rate.",
      ),
  })
  .transform(({ rate, per, burst }) => ({ rate, per, burst: burst ?? rate }))
  .prefault({})
  .describe("Every chat: a bucket of `burst` refilled `rate` every `per` seconds (1 a second).");

const sliding = (fallback: { rate: number; per: number }, what: string) =>
  z
    .strictObject({ rate: rate(fallback.rate), per: per(fallback.per) })
    .prefault({})
    .describe(`${what}: at most \`rate\` in any \`per\` seconds, a sliding count.`);

const upstream = z
  .string({ error: expected("an https URL") })
  .refine((value) => isHttpsOrLoopback(value) && !/[?#]/.test(value), {
    error: (iss) =>
      `must be an https URL without query (http only for localhost), got ${shown(iss.input)}`,
  })
  .transform((value) => value.replace(/\/+$/, ""))
  .default(TELEGRAM_API)
  .describe(
    `Where calls go: Telegram (default, ${TELEGRAM_API}), your own Bot API server, a local fake.`,
  );

export const gatewaySchema = z
  .strictObject({
    tokenSecret: envName("the secret holding the bot's token").describe(
      "Name of the secret (wrangler secret put NAME) holding the bot's token from @BotFather.",
    ),
    upstream,
    maxWaitSeconds: integer(0, MAX_WAIT_SECONDS_LIMIT)
      .default(DEFAULT_MAX_WAIT_SECONDS)
      .describe(
        "How long a call may wait for its turn; past that the caller gets a 429 with retry_after.",
      ),
    limits: z
      .strictObject({
        perChat,
        perGroup: sliding(TELEGRAM_LIMITS.perGroup, "Every group, supergroup and channel"),
        perBot: sliding(TELEGRAM_LIMITS.perBot, "The whole bot"),
      })
      .prefault({})
      .describe("Telegram's flood limits, which every field defaults to."),
  })
  .describe("The Bot API gateway: the bot's client calls the worker instead of Telegram.");

export type GatewayConfig = z.output<typeof gatewaySchema>;
export type GatewayLimits = GatewayConfig["limits"];
