import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Limiter } from "../../src/limiter/limiter.ts";
import type { LimiterObject } from "../../src/limiter/object.ts";
import { PROTOCOL_VERSION } from "../../src/limiter/protocol.ts";
import { KEEP_AFTER_RECOVERY_MS } from "../../src/limiter/store.ts";
import { fixtureRegistry as registry } from "../app.ts";
import { check } from "../helpers.ts";
import { setObjectClock } from "../objects.ts";

const stubFor = (subject: string) => env.LIMITER.getByName(subject);

async function storedKeys(subject: string): Promise<string[]> {
  return runInDurableObject(stubFor(subject), (_: LimiterObject, state) =>
    [...state.storage.kv.list()].map(([key]) => key),
  );
}

const moveClock = (subject: string, nowMs: number) => setObjectClock(stubFor(subject), () => nowMs);

describe("LimiterObject", () => {
  it("keeps a limit across eviction: memory lost, storage kept", async () => {
    for (let i = 0; i < 5; i++) await check({ policies: ["user_throttle"], user: "evicted" });
    await evictDurableObject(stubFor("test:USER:evicted"));
    const { res, json } = await check({ policies: ["user_throttle"], user: "evicted" });
    expect(res.status).toBe(429);
    expect(json.policies[0]?.remaining).toBe(0);
  });

  it("deletes a fully recovered state, leaving storage empty", async () => {
    const subject = "test:USER:idle";
    await check({ policies: ["user_throttle", "user_debounce"], user: "idle", fingerprint: "x" });
    expect(await storedKeys(subject)).toHaveLength(2);
    await moveClock(subject, Date.now() + 61_000 + KEEP_AFTER_RECOVERY_MS);
    expect(await runDurableObjectAlarm(stubFor(subject))).toBe(true);
    expect(await storedKeys(subject)).toEqual([]);
    // Nothing left to clean, so no alarm stays armed.
    expect(await runDurableObjectAlarm(stubFor(subject))).toBe(false);
  });

  it("re-arms the clean-up for states that have not recovered yet", async () => {
    const subject = "test:USER:mixed";
    await check({ policies: ["user_debounce"], user: "mixed", fingerprint: "x" });
    await check({ policies: ["hourly_window"], user: "mixed" });
    await moveClock(subject, Date.now() + 3_000 + KEEP_AFTER_RECOVERY_MS);
    expect(await runDurableObjectAlarm(stubFor(subject))).toBe(true);
    expect(await storedKeys(subject)).toEqual(["test:hourly_window:USER:mixed"]);
    await moveClock(subject, Date.now() + 3_601_000 + KEEP_AFTER_RECOVERY_MS);
    expect(await runDurableObjectAlarm(stubFor(subject))).toBe(true);
    expect(await storedKeys(subject)).toEqual([]);
  });

  it("sweeps recovered states hourly even beside a claim kept for a day", async () => {
    const subject = "test:USER:claimed";
    const limiter = new Limiter(registry, env.LIMITER);
    const claim = { key: "telegram.demo.1", fallbackSubjectKey: "unused" };
    await limiter.decide([registry.get("user_throttle")], { user: "claimed", cost: 1 }, claim);
    expect((await storedKeys(subject)).sort()).toEqual([
      "telegram.demo.1",
      "test:user_throttle:USER:claimed",
    ]);
    await moveClock(subject, Date.now() + 2 * 3600 * 1000 + KEEP_AFTER_RECOVERY_MS);
    expect(await runDurableObjectAlarm(stubFor(subject))).toBe(true);
    expect(await storedKeys(subject)).toEqual(["telegram.demo.1"]);
    await moveClock(subject, Date.now() + 25 * 3600 * 1000 + KEEP_AFTER_RECOVERY_MS);
    expect(await runDurableObjectAlarm(stubFor(subject))).toBe(true);
    expect(await storedKeys(subject)).toEqual([]);
  });

  it("writes nothing for a denial", async () => {
    const subject = "test:USER:quiet";
    for (let i = 0; i < 5; i++) await check({ policies: ["user_throttle"], user: "quiet" });
    const before = await runInDurableObject(stubFor(subject), (_: LimiterObject, s) =>
      JSON.stringify([...s.storage.kv.list()]),
    );
    await check({ policies: ["user_throttle"], user: "quiet" });
    const after = await runInDurableObject(stubFor(subject), (_: LimiterObject, s) =>
      JSON.stringify([...s.storage.kv.list()]),
    );
    expect(after).toBe(before);
  });
});

describe("the protocol between the worker and its objects", () => {
  it("refuses a call in another version, so a mixed deployment never misreads a limit", async () => {
    const stub = stubFor("test:USER:mixed-version");
    const item = {
      stateKey: "test:user_throttle:USER:mixed-version",
      limit: { kind: "throttle", capacity: 5, refillTokens: 5, refillSeconds: 60 },
      enforce: true,
      cost: 1,
    } as const;
    // Through a plain promise: vitest's matchers would read properties of the RPC promise,
    // and each read is a pipelined call that rejects again, unhandled.
    await expect(Promise.resolve(stub.check(PROTOCOL_VERSION + 1, [item]))).rejects.toThrow(
      `limiter protocol ${PROTOCOL_VERSION + 1} called, this object speaks ${PROTOCOL_VERSION}`,
    );
    expect(await storedKeys("test:USER:mixed-version")).toEqual([]);
    const outcome = await stub.check(PROTOCOL_VERSION, [item]);
    expect(outcome).toMatchObject({ admitted: true, items: [{ quota: 5, remaining: 4 }] });
  });
});

describe("several policies in one check", () => {
  it("consumes nothing on one object when any policy there denies", async () => {
    // user_debounce denies the repeat; user_throttle must not be charged for it.
    await check({ policies: ["user_throttle", "user_debounce"], user: "atomic", fingerprint: "a" });
    for (let i = 0; i < 3; i++) {
      const { res } = await check({
        policies: ["user_throttle", "user_debounce"],
        user: "atomic",
        fingerprint: "a",
      });
      expect(res.status).toBe(429);
    }
    const { json } = await check({ policies: ["user_throttle"], user: "atomic" });
    expect(json.policies[0]?.remaining).toBe(3);
  });

  it("refunds what other objects consumed when one object denies", async () => {
    // group_throttle (3/min) lives on the user-in-chat object, user_throttle on the user's.
    for (let i = 0; i < 3; i++) {
      const { res } = await check({
        policies: ["user_throttle", "group_throttle"],
        user: "r",
        chat: "-1",
      });
      expect(res.status).toBe(200);
    }
    const { res, json } = await check({
      policies: ["user_throttle", "group_throttle"],
      user: "r",
      chat: "-1",
    });
    expect(res.status).toBe(429);
    const [userPolicy, groupPolicy] = json.policies;
    expect(userPolicy).toMatchObject({ name: "user_throttle", allowed: true, remaining: 2 });
    expect(groupPolicy).toMatchObject({ name: "group_throttle", allowed: false, remaining: 0 });
    // The refund gave user_throttle its token back: two are left, not one.
    const after = await check({ policies: ["user_throttle"], user: "r" });
    expect(after.json.policies[0]?.remaining).toBe(1);
  });

  it("reports every policy, including skipped, shadow and disabled ones", async () => {
    const { res, json } = await check({
      policies: ["user_throttle", "chat_throttle", "new_rule_shadow", "retired_rule"],
      user: "report",
    });
    expect(res.status).toBe(200);
    expect(json.policies).toMatchObject([
      {
        name: "user_throttle",
        allowed: true,
        remaining: 4,
        scope: "user",
        key: "test:user_throttle:USER:report",
      },
      { name: "chat_throttle", allowed: true, skipped: true, reason: "needs chat" },
      { name: "new_rule_shadow", allowed: true, shadow: true, remaining: 1 },
      { name: "retired_rule", allowed: true, disabled: true },
    ]);
  });

  it("never denies for a shadow policy, but reports what it would have said", async () => {
    for (let i = 0; i < 2; i++) await check({ policies: ["new_rule_shadow"], user: "shadowed" });
    const { res, json } = await check({ policies: ["new_rule_shadow"], user: "shadowed" });
    expect(res.status).toBe(200);
    expect(json.allowed).toBe(true);
    expect(json.policies[0]).toMatchObject({ allowed: false, shadow: true });
    expect(res.headers.get("Retry-After")).toBeNull();
  });
});
