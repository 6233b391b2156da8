import { GrammyError } from "grammy";
import { describe, expect, it } from "vitest";
import { BOT_TOKEN, botCall, gatewayWorld, WORKER } from "./harness.ts";

describe("the Bot API gateway's door", () => {
  it("lets grammY, pointed at it by apiRoot, call the Bot API with answers unchanged", async () => {
    const world = gatewayWorld();
    const api = world.grammy();
    const me = await api.getMe();
    expect(me).toMatchObject({ id: 123456, is_bot: true, username: "FakeBot" });
    const sent = await api.sendMessage(42, "hello");
    expect(sent).toMatchObject({ chat: { id: 42, type: "private" }, text: "hello" });
    // The same call straight to the fake gets the same body, byte for byte.
    const through = await world.call(botCall("getMe", {}));
    const direct = await world.fake.fetch(new Request(`https://x/bot${BOT_TOKEN}/getMe`));
    expect(through.status).toBe(200);
    expect(await through.text()).toBe(await direct.text());
    expect(world.fake.received.map((r) => [r.method, r.chat, r.text])).toEqual([
      ["sendMessage", "42", "hello"],
    ]);
  });

  it("refuses another token with Telegram's 401, and nothing goes upstream", async () => {
    const world = gatewayWorld();
    for (const token of ["123456:wrong", "", `${BOT_TOKEN}x`, "654321:gateway-TEST_token"]) {
      const res = await world.call(botCall("sendMessage", { chat_id: 1, text: "x" }, token));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    }
    const file = await world.call(
      new Request(`${WORKER}/telegram/gw/file/bot123:nope/documents/a.txt`),
    );
    expect(file.status).toBe(401);
    await expect(world.grammy(world.app, "123456:wrong").getMe()).rejects.toThrow(GrammyError);
    expect(world.upstreamCalls).toHaveLength(0);
  });

  it("answers 404 for a bot without a gateway, an unknown bot or method, never going upstream", async () => {
    const world = gatewayWorld({
      bot: { origin: "https://bot.example.com", secretTokenSecret: "S" },
    });
    const paths = [
      `/telegram/nobot/bot${BOT_TOKEN}/getMe`,
      `/telegram/gw/${BOT_TOKEN}/getMe`,
      `/telegram/gw/bot${BOT_TOKEN}/get%2FMe`,
      `/telegram/gw/bot${BOT_TOKEN}/..%2F..%2Fbot1:x%2FgetMe`,
      `/telegram/gw/file/bot${BOT_TOKEN}/..%2F..%2Fbot${BOT_TOKEN}%2FsendMessage`,
      `/telegram/gw/file/bot${BOT_TOKEN}/documents/%2E%2E%2Fx`,
    ];
    for (const path of paths) {
      const res = await world.call(new Request(`${WORKER}${path}`));
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });
    }
    expect(world.upstreamCalls).toHaveLength(0);
  });

  it("passes file downloads through", async () => {
    const world = gatewayWorld();
    const file = await world.grammy().getFile("abc");
    expect(file.file_path).toBe("documents/abc.txt");
    const res = await world.call(
      new Request(`${WORKER}/telegram/gw/file/bot${BOT_TOKEN}/${file.file_path}`),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("contents of documents/abc.txt");
  });

  it("answers 502 when the Bot API server cannot be reached, saying nothing of the URL", async () => {
    const world = gatewayWorld({
      fetchUpstream: async () => {
        throw new TypeError(`fetch failed for https://fake.bot.api/bot${BOT_TOKEN}/getMe`);
      },
    });
    for (const method of ["getMe", "sendMessage"]) {
      const res = await world.call(botCall(method, { chat_id: 7, text: "x" }));
      expect(res.status).toBe(502);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ ok: false, error_code: 502 });
      expect(body).not.toContain(BOT_TOKEN);
    }
  });
});
