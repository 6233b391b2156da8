import { GrammyError } from "grammy";
import { describe, expect, it } from "vitest";
import type { FakeLimits } from "../../../scripts/fake-bot-api/fake.ts";
import { botCall, gatewayWorld, ONCE_A_MINUTE } from "./harness.ts";

const deliveredTexts = (world: ReturnType<typeof gatewayWorld>, chat: string) =>
  world.fake.received.filter((r) => r.accepted && r.chat === chat).map((r) => r.text);

describe("sends under Telegram's limits", () => {
  it("broadcasts past every limit with no 429 reaching grammY, each message once, in order", async () => {
    const world = gatewayWorld();
    const api = world.grammy();
    const privateChats = [11, 12, 13, 14, 15, 16];
    const group = -100500;
    // One loop per chat, as a bot that keeps each chat's order awaits each send; chats at once.
    const loop = async (chat: number, count: number) => {
      for (let i = 0; i < count; i++) await api.sendMessage(chat, `${chat}:${i}`);
    };
    await Promise.all([...privateChats.map((chat) => loop(chat, 4)), loop(group, 7)]);
    for (const chat of [...privateChats, group]) {
      const count = chat === group ? 7 : 4;
      expect(deliveredTexts(world, String(chat))).toEqual(
        Array.from({ length: count }, (_, i) => `${chat}:${i}`),
      );
    }
  });

  it("answers Telegram's 429 with retry_after when a call would wait past maxWaitSeconds", async () => {
    const world = gatewayWorld({ limits: ONCE_A_MINUTE, maxWaitSeconds: 2 });
    const api = world.grammy();
    await api.sendMessage(21, "first");
    const error = await api.sendMessage(21, "second").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(429);
    const retryAfter = (error as GrammyError).parameters.retry_after as number;
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(61);
    const raw = await world.call(botCall("sendMessage", { chat_id: 21, text: "third" }));
    expect(raw.status).toBe(429);
    expect(raw.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await raw.json()).toEqual({
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${raw.headers.get("Retry-After")}`,
      parameters: { retry_after: Number(raw.headers.get("Retry-After")) },
    });
    // Another chat is not held back, and what waited too long never reached Telegram.
    await api.sendMessage(22, "elsewhere");
    expect(world.fake.received.map((r) => r.text)).toEqual(["first", "elsewhere"]);
  });

  it("passes calls that send nothing straight, however busy the chat", async () => {
    const world = gatewayWorld({ limits: ONCE_A_MINUTE, maxWaitSeconds: 0 });
    const api = world.grammy();
    await api.sendMessage(31, "one");
    await api.sendChatAction(31, "typing");
    await api.getChat(31);
    await api.deleteMessage(31, 1);
    await expect(api.sendMessage(31, "two")).rejects.toThrow(GrammyError);
    expect(world.upstreamCalls.map((r) => new URL(r.url).pathname.split("/").at(-1))).toEqual([
      "sendMessage",
      "sendChatAction",
      "getChat",
      "deleteMessage",
    ]);
  });

  it("counts paid broadcasts against 1,000 a second instead of the bot's limit", async () => {
    const tight: FakeLimits = {
      perChat: { rate: 1, per: 1, burst: 1 },
      perGroup: { rate: 20, per: 60 },
      perBot: { rate: 2, per: 60 },
    };
    const world = gatewayWorld({ limits: tight, maxWaitSeconds: 0 });
    const api = world.grammy();
    const chats = [41, 42, 43, 44, 45, 46];
    const paid = await Promise.allSettled(
      chats.map((chat) => api.sendMessage(chat, "paid", { allow_paid_broadcast: true })),
    );
    expect(paid.map((r) => r.status)).toEqual(chats.map(() => "fulfilled"));
    const unpaid = await Promise.allSettled(chats.map((chat) => api.sendMessage(chat + 10, "x")));
    expect(unpaid.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect(world.fake.received.filter((r) => !r.accepted)).toEqual([]);
  });

  it("reads the chat from forms, query strings and uploads, as other clients send them", async () => {
    const world = gatewayWorld({ limits: ONCE_A_MINUTE, maxWaitSeconds: 0 });
    const url = "http://limiter.test/telegram/gw/bot123456:gateway-TEST_token";
    // python-telegram-bot posts a form; some scripts use GET with a query string.
    const form = (chat: number) =>
      new Request(`${url}/sendMessage`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ chat_id: String(chat), text: "form" }),
      });
    expect((await world.call(form(51))).status).toBe(200);
    expect((await world.call(form(51))).status).toBe(429);
    const get = (chat: number) => new Request(`${url}/sendMessage?chat_id=${chat}&text=query`);
    expect((await world.call(get(52))).status).toBe(200);
    expect((await world.call(get(52))).status).toBe(429);
    // A browser-style multipart upload.
    const upload = (chat: number) => {
      const body = new FormData();
      body.set("chat_id", String(chat));
      body.set("document", new File(["hello"], "hello.txt"));
      return new Request(`${url}/sendDocument`, { method: "POST", body });
    };
    expect((await world.call(upload(53))).status).toBe(200);
    expect((await world.call(upload(53))).status).toBe(429);
    expect(world.fake.received.map((r) => [r.method, r.chat])).toEqual([
      ["sendMessage", "51"],
      ["sendMessage", "52"],
      ["sendDocument", "53"],
    ]);
  });
});
