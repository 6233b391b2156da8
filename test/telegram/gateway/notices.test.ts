import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FakeBotApi } from "../../../scripts/fake-bot-api/fake.ts";
import { createApp } from "../../../src/app.ts";
import { createServices } from "../../../src/services.ts";
import { message, originBot, post, testRegistry } from "../harness.ts";
import { BOT_TOKEN, ONCE_A_MINUTE, WORKER } from "./harness.ts";

/** The test bot `mybot` with both doors: webhooks in, Bot API calls out, one chat budget. */
function bothDoors() {
  const registry = testRegistry({
    gateway: {
      tokenSecret: "GW_TOKEN",
      upstream: "https://fake.bot.api",
      maxWaitSeconds: 0,
      limits: ONCE_A_MINUTE,
    },
  });
  const fake = new FakeBotApi({ token: BOT_TOKEN, limits: ONCE_A_MINUTE });
  const app = createApp({ ...createServices(registry, env), fetchUpstream: fake.fetch });
  const { binding } = originBot();
  const bindings = { ORIGIN: binding, GW_TOKEN: BOT_TOKEN };
  const webhook = async (chatId: number, text: string) => {
    const group = { id: chatId, type: "group" };
    return (await post(app, bindings, message(7, text, group))).text();
  };
  const gateway = (chatId: number) =>
    app.fetch(
      new Request(`${WORKER}/telegram/mybot/bot${BOT_TOKEN}/sendMessage`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ chat_id: chatId, text: "from the bot" }),
      }),
      { ...env, ...bindings },
    );
  return { webhook, gateway, fake };
}

describe("the webhook front's notices and the gateway's chat budgets", () => {
  it("count together: a notice takes the chat's turn", async () => {
    const { webhook, gateway } = bothDoors();
    // The group rule admits two messages from a user in a chat, then notices the third.
    await webhook(-1001, "a");
    await webhook(-1001, "b");
    expect(JSON.parse(await webhook(-1001, "c"))).toMatchObject({ method: "sendMessage" });
    expect((await gateway(-1001)).status).toBe(429);
  });

  it("count together: a chat that just had the bot's message gets no notice", async () => {
    const { webhook, gateway, fake } = bothDoors();
    expect((await gateway(-1002)).status).toBe(200);
    await webhook(-1002, "a");
    await webhook(-1002, "b");
    expect(await webhook(-1002, "c")).toBe("");
    expect(fake.received.map((r) => r.chat)).toEqual(["-1002"]);
  });
});
