import type { Registry } from "../../config/registry.ts";
import type { BotConfig } from "../../config/telegram.ts";
import type { WebhookReply } from "../replies.ts";
import { sendFacts } from "./methods.ts";
import { BotSends, botObjectName } from "./sends.ts";

/**
 * The webhook front's notice to a denied message is a message like any other, in the same
 * chat, sent by Telegram when the worker answers the update: for a bot with a gateway it
 * counts in the same budgets as the bot's own sends. It cannot wait (the answer is the send),
 * so it goes only if its chat, group and bot have room now, and is dropped otherwise, as it
 * would be if the notice window had not passed; it is dropped too when the bot's object
 * cannot say. Button answers (answerCallbackQuery) post nothing and always go.
 */
export async function noticeFits(
  env: Env,
  registry: Registry,
  botName: string,
  bot: BotConfig,
  reply: WebhookReply,
): Promise<boolean> {
  if (bot.gateway === undefined || reply.method !== "sendMessage") return true;
  const objectName = botObjectName(registry.app, botName);
  const budgetMs = registry.availability.budgetMs;
  const sends = new BotSends(env.GATEWAY, objectName, bot.gateway.limits, budgetMs);
  try {
    return (await sends.schedule(sendFacts(reply.method, reply), 0)).granted;
  } catch {
    return false;
  }
}
