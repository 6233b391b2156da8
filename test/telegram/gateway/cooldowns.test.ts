import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { GrammyError } from "grammy";
import { describe, expect, it } from "vitest";
import { botObjectName } from "../../../src/telegram/gateway/sends.ts";
import { gatewayWorld } from "./harness.ts";

const refusedBy = (world: ReturnType<typeof gatewayWorld>, chat: string) =>
  world.fake.received.filter((r) => r.chat === chat).map((r) => r.accepted);

async function status(promise: Promise<unknown>) {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as GrammyError).error_code;
  }
}

describe("Telegram's own 429", () => {
  it("is waited out and the call sent once more, when the cooldown fits the wait bound", async () => {
    const world = gatewayWorld({ maxWaitSeconds: 3 });
    world.fake.refuseNext(1, "61");
    const sent = await world.grammy().sendMessage(61, "again");
    expect(sent.text).toBe("again");
    expect(refusedBy(world, "61")).toEqual([false, true]);
  });

  it("goes back to the caller as it came when the cooldown is longer than the wait bound", async () => {
    const world = gatewayWorld({ maxWaitSeconds: 3 });
    world.fake.refuseNext(30, "62");
    const error = (await world
      .grammy()
      .sendMessage(62, "x")
      .catch((e) => e)) as GrammyError;
    expect(error.error_code).toBe(429);
    expect(error.parameters.retry_after).toBe(30);
    expect(refusedBy(world, "62")).toEqual([false]);
  });

  it("holds back that chat's calls from every isolate, and across a restart", async () => {
    const world = gatewayWorld({ maxWaitSeconds: 0 });
    world.fake.refuseNext(30, "63");
    expect(await status(world.grammy().sendMessage(63, "refused by Telegram"))).toBe(429);
    const elsewhere = world.grammy(world.isolate());
    expect(await status(elsewhere.sendMessage(63, "held back"))).toBe(429);
    expect(await status(elsewhere.sendMessage(64, "another chat"))).toBe(200);
    await evictDurableObject(env.GATEWAY.getByName(botObjectName(world.registry.app, "gw")));
    expect(await status(world.grammy(world.isolate()).sendMessage(63, "after a restart"))).toBe(
      429,
    );
    expect(refusedBy(world, "63")).toEqual([false]);
  });

  it("holds back the whole bot once three chats are refused at once", async () => {
    const world = gatewayWorld({ maxWaitSeconds: 0 });
    const api = world.grammy();
    for (const chat of [71, 72]) {
      world.fake.refuseNext(30, String(chat));
      expect(await status(api.sendMessage(chat, "x"))).toBe(429);
    }
    expect(await status(api.sendMessage(73, "still fine"))).toBe(200);
    world.fake.refuseNext(30, "74");
    expect(await status(api.sendMessage(74, "x"))).toBe(429);
    expect(await status(api.sendMessage(75, "the bot cools down"))).toBe(429);
    expect(world.fake.received.map((r) => r.chat)).toEqual(["71", "72", "73", "74"]);
  });
});
