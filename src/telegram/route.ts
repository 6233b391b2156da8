import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Policy } from "../config/policy.ts";
import { hasWebhook, type WebhookBot } from "../config/telegram.ts";
import { DEFAULT_IPV6_PREFIX } from "../core/ip.ts";
import type { Decided } from "../limiter/decided.ts";
import type { Limiter } from "../limiter/limiter.ts";
import { limitBody } from "../platform/body-limit.ts";
import { envValue, secretsEqual } from "../platform/secrets.ts";
import type { Services } from "../services.ts";
import { albumOf } from "./albums.ts";
import { updateBucket } from "./bucket.ts";
import { extractUpdate, type UpdateFacts } from "./extract.ts";
import { forward } from "./forward.ts";
import { noticeFits } from "./gateway/notice.ts";
import { denyAnswer, type WebhookReply } from "./replies.ts";
import { matchRule, type RuleMatch } from "./rules.ts";

export const MAX_UPDATE_BYTES = 1024 * 1024;
const SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

type TelegramEnv = { Bindings: Env; Variables: { bot: WebhookBot } };

const log = (event: Record<string, unknown>) => console.log(JSON.stringify(event));

/** The secret a bot's config names; absent means the deployment is incomplete. */
function secret(env: Env, name: string): string {
  const value = envValue(env, name);
  if (typeof value !== "string" || value === "") {
    throw new HTTPException(503, { message: `the bot's secret ${name} is not configured` });
  }
  return value;
}

/** The notice for a denied message: a debounce of one per window for the user in the chat. */
function noticePolicy(botName: string, facts: UpdateFacts, everySeconds: number): Policy {
  const scope = facts.userId && facts.chatId ? "group" : facts.chatId ? "chat" : "user";
  return {
    name: `telegram_notice.${botName}`,
    limit: { kind: "debounce", windowSeconds: everySeconds },
    scope,
    ipv6Prefix: DEFAULT_IPV6_PREFIX,
    enabled: true,
    mode: "enforce",
  };
}

async function denied(
  limiter: Limiter,
  botName: string,
  facts: UpdateFacts,
  rule: RuleMatch,
): Promise<WebhookReply | undefined> {
  const answer = denyAnswer(rule.onDeny, facts);
  if (answer.kind === "drop") return undefined;
  if (answer.kind === "reply") return answer.reply;
  const policy = noticePolicy(botName, facts, answer.everySeconds);
  const { result } = await limiter.decide([policy], {
    user: facts.userId,
    chat: facts.chatId,
    cost: 1,
    fingerprint: "notice",
  });
  return result.allowed ? answer.reply : undefined;
}

function decisionHeaders(rule: RuleMatch, decided: Decided | undefined): Record<string, string> {
  if (decided === undefined)
    return { "X-Limiter-Decision": "fail-open", "X-Limiter-Rule": rule.name };
  const counted = decided.result.policies.filter((p) => !p.skipped && !p.disabled);
  const headers: Record<string, string> = {
    "X-Limiter-Decision": counted.some((p) => p.shadow && !p.allowed) ? "shadow-denied" : "allowed",
    "X-Limiter-Rule": rule.name,
    "X-Limiter-Policies": counted.map((p) => p.name).join(","),
  };
  // An album's later updates count nothing of their own: there is no remaining to report.
  if (decided.group !== undefined) headers["X-Limiter-Album"] = decided.group;
  if (decided.group === "followed") return headers;
  if (counted.length > 0) {
    headers["X-Limiter-Remaining"] = String(Math.min(...counted.map((p) => p.remaining)));
  }
  return headers;
}

/**
 * `POST /telegram/:bot`: Telegram posts updates here instead of to the bot. The worker
 * authenticates, applies the bot's rules per user and chat, answers what is denied, and
 * forwards the rest to the bot's origin. Telegram always gets a 2xx for an update it should
 * not re-send, and a 5xx only when it should (origin down, or the limiter down and failing
 * closed).
 */
export function telegramRoutes({ registry, limiter }: Services) {
  const app = new Hono<TelegramEnv>();

  app.post("/:bot", async (c, next) => {
    const bot = registry.bot(c.req.param("bot"));
    // A bot with only the Bot API gateway has no webhook here.
    if (bot === undefined || !hasWebhook(bot)) {
      throw new HTTPException(404, { message: "unknown bot" });
    }
    const given = c.req.header(SECRET_HEADER);
    if (!given || !secretsEqual(given, secret(c.env, bot.secretTokenSecret))) {
      throw new HTTPException(401, { message: `missing or wrong ${SECRET_HEADER}` });
    }
    c.set("bot", bot);
    await next();
  });

  app.post("/:bot", limitBody(MAX_UPDATE_BYTES));

  app.post("/:bot", async (c) => {
    const botName = c.req.param("bot");
    const bot = c.var.bot;
    const body = await c.req.arrayBuffer();
    let update: unknown;
    try {
      update = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw new HTTPException(400, { message: "the update is not valid JSON" });
    }
    const facts = extractUpdate(update);
    if ("error" in facts) throw new HTTPException(400, { message: facts.error });

    const rule = matchRule(bot, facts);
    const policies = rule.policies.map((name) => registry.get(name));
    const bucket = updateBucket(rule.bucketFrom, facts);
    const subject = { user: facts.userId, chat: facts.chatId, bucket };
    let decided: Decided | undefined;
    try {
      decided = await limiter.decide(
        policies,
        { ...subject, cost: 1, fingerprint: facts.fingerprint },
        {
          key: `telegram.${botName}.${facts.updateId}`,
          fallbackSubjectKey: `${registry.app}:TELEGRAM:${botName}`,
          group: albumOf(registry.app, botName, facts),
        },
        { door: "telegram", bot: botName, rule: rule.name },
      );
    } catch (error) {
      log({
        event: "limiter_failed",
        bot: botName,
        failMode: bot.failMode,
        error: (error as Error).message,
      });
      if (bot.failMode === "closed") {
        throw new HTTPException(503, { message: "limiter unavailable; retry later" });
      }
    }
    // A duplicate was answered before; a blocked sender is dropped without a notice.
    if (decided?.duplicate || decided?.result.blocked) return c.body(null, 200);
    if (decided && !decided.result.allowed) {
      const reply = await denied(limiter, botName, facts, rule).catch(() => undefined);
      if (reply && (await noticeFits(c.env, registry, botName, bot, reply))) return c.json(reply);
      return c.body(null, 200);
    }

    const originSecret = secret(c.env, bot.originSecret ?? bot.secretTokenSecret);
    const forwarded = await forward(
      c.env,
      bot.origin,
      body,
      { [SECRET_HEADER]: originSecret, ...decisionHeaders(rule, decided) },
      bot.timeoutSeconds * 1000,
    );
    if (!forwarded.ok) {
      log({
        event: "origin_failed",
        bot: botName,
        updateId: facts.updateId,
        reason: forwarded.reason,
      });
      // Telegram will re-send this update: let that retry be counted as if it were the first.
      if (decided) await limiter.undo(decided.ticket);
    }
    return forwarded.response;
  });

  return app;
}
