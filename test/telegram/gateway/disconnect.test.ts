import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { FakeLimits } from "../../../scripts/fake-bot-api/fake.ts";
import type { ChatState } from "../../../src/core/send-plan.ts";
import type { GatewayObject } from "../../../src/telegram/gateway/object.ts";
import { botObjectName } from "../../../src/telegram/gateway/sends.ts";
import { botCall, gatewayWorld } from "./harness.ts";

/** The last send time the bot's object handed out to `chat`. */
function lastHandedOut(stub: DurableObjectStub<GatewayObject>, chat: string) {
  return runInDurableObject(stub, (_: GatewayObject, state) => {
    const row = state.storage.kv.get<{ state: ChatState }>(`chat:${chat}`);
    return row?.state.lastAtMs;
  });
}

/** Polls until `read` gives something other than `from`; the test's timeout bounds it. */
async function changed<T>(read: () => Promise<T>, from: T): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== from) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const twoSecondsApart: FakeLimits = {
  perChat: { rate: 1, per: 2, burst: 1 },
  perGroup: { rate: 20, per: 60 },
  perBot: { rate: 30, per: 1 },
};

describe("a caller that goes away while its call waits", () => {
  it("never has its message sent, and gives its time to the next call", async () => {
    const world = gatewayWorld({ limits: twoSecondsApart, maxWaitSeconds: 5 });
    const stub = env.GATEWAY.getByName(botObjectName(world.registry.app, "gw"));
    expect((await world.call(botCall("sendMessage", { chat_id: 81, text: "first" }))).status).toBe(
      200,
    );
    const firstAt = await lastHandedOut(stub, "81");

    const caller = new AbortController();
    const waiting = botCall("sendMessage", { chat_id: 81, text: "abandoned" });
    const answer = world.call(new Request(waiting, { signal: caller.signal }));
    const abandonedAt = await changed(() => lastHandedOut(stub, "81"), firstAt);
    caller.abort();
    expect((await answer).status).toBe(499);
    // Its time is given back: the chat's last send is the first one again.
    expect(await changed(() => lastHandedOut(stub, "81"), abandonedAt)).toBe(firstAt);

    const next = await world.call(botCall("sendMessage", { chat_id: 81, text: "next" }));
    expect(next.status).toBe(200);
    expect(world.fake.received.map((r) => r.text)).toEqual(["first", "next"]);
  });
});

describe("the runtime", () => {
  it("aborts request.signal when the client goes away (enable_request_signal)", async () => {
    // The fixture bot `gateway` sends to an address where nothing listens: only the wait
    // and its ending are watched here, through the worker's own entry point.
    const stub = env.GATEWAY.getByName(botObjectName("test", "gateway"));
    const url = `http://limiter.test/telegram/gateway/bot${env.TELEGRAM_TOKEN_DEMO}/sendMessage`;
    const send = (signal?: AbortSignal) =>
      exports.default.fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ chat_id: 91, text: "x" }),
        signal,
      });
    expect((await send()).status).toBe(502);
    const firstAt = await lastHandedOut(stub, "91");
    const caller = new AbortController();
    const answer = send(caller.signal).catch(() => undefined);
    const abandonedAt = await changed(() => lastHandedOut(stub, "91"), firstAt);
    caller.abort();
    await answer;
    expect(await changed(() => lastHandedOut(stub, "91"), abandonedAt)).toBe(firstAt);
  });
});
