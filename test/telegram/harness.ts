import { env } from "cloudflare:workers";
import { Bot, webhookCallback } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { Registry } from "../../src/config/registry.ts";
import { appFor } from "../app.ts";

export const WEBHOOK_SECRET = "webhook-secret_1";
export const ORIGIN_SECRET = "origin-secret_2";

/** A real grammY bot, as a user would run it, that records every update it receives. */
export function originBot() {
  const received: Update[] = [];
  const bot = new Bot("123456:TEST", {
    botInfo: {
      id: 5555555555,
      is_bot: true,
      first_name: "MyBot",
      username: "MyBot",
      can_join_groups: true,
      can_read_all_group_messages: true,
      supports_inline_queries: true,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
    } as UserFromGetMe,
  });
  bot.use((ctx) => {
    received.push(ctx.update);
  });
  const handle = webhookCallback(bot, "cloudflare-mod", { secretToken: ORIGIN_SECRET });
  return { received, binding: { fetch: (request: Request) => handle(request) } };
}

/** policies.json for the tests: small limits so a handful of updates reach them. */
export function testRegistry(botOverrides: Record<string, unknown> = {}, limiter = {}) {
  return Registry.fromJson({
    app: "tg",
    limiter,
    policies: {
      three: { kind: "throttle", rate: 3, per: 60, scope: "user" },
      group_two: { kind: "throttle", rate: 2, per: 60, scope: "group" },
      everyone: { kind: "throttle", rate: 1000, per: 1, scope: "global" },
      buttons: { kind: "debounce", window: 5 },
      broken: { kind: "throttle", rate: 1, per: 60, scope: "user" },
    },
    telegram: {
      bots: {
        mybot: {
          origin: "ORIGIN",
          secretTokenSecret: "TG_WEBHOOK_SECRET",
          originSecret: "TG_ORIGIN_SECRET",
          username: "MyBot",
          rules: [
            {
              name: "start",
              match: { commands: ["/start"] },
              policies: ["buttons"],
            },
            {
              name: "votes",
              match: { updateTypes: ["callback_query"], callbackPrefix: "vote:" },
              policies: ["buttons"],
              onDeny: { reply: "Already counted", showAlert: true },
            },
            {
              name: "groups",
              match: { chatTypes: ["group", "supergroup"] },
              policies: ["group_two"],
              onDeny: { reply: "Too fast, slow down", noticeEverySeconds: 60 },
            },
            { name: "shouting", match: { textPattern: "^[A-Z !]{5,}$" }, policies: ["three"] },
          ],
          default: { policies: ["three", "everyone"] },
          ...botOverrides,
        },
      },
    },
  });
}

/** Posts an update to the worker the way Telegram does. */
export function post(
  app: ReturnType<typeof appFor>,
  bindings: Record<string, unknown>,
  update: unknown,
  options: { secret?: string | null; bot?: string } = {},
) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (options.secret !== null) {
    headers["X-Telegram-Bot-Api-Secret-Token"] = options.secret ?? WEBHOOK_SECRET;
  }
  const body = typeof update === "string" ? update : JSON.stringify(update);
  return app.request(
    `/telegram/${options.bot ?? "mybot"}`,
    { method: "POST", headers, body },
    { ...env, TG_WEBHOOK_SECRET: WEBHOOK_SECRET, TG_ORIGIN_SECRET: ORIGIN_SECRET, ...bindings },
  );
}

let nextUpdateId = 900_000_000;

/** A private text message from `userId`, with a fresh update_id. */
export function message(userId: number, text: string, chat?: { id: number; type: string }) {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextUpdateId,
      from: { id: userId, is_bot: false, first_name: "U" },
      chat: chat ?? { id: userId, type: "private", first_name: "U" },
      date: 1767225600,
      text,
    },
  };
}

export function callback(userId: number, data: string) {
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: `cb${nextUpdateId}`,
      from: { id: userId, is_bot: false, first_name: "U" },
      message: {
        message_id: 1,
        chat: { id: userId, type: "private", first_name: "U" },
        date: 1767225600,
        text: "Pick one",
      },
      chat_instance: "1",
      data,
    },
  };
}

export { appFor };
