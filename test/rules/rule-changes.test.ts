import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { Registry } from "../../src/config/registry.ts";
import { Limiter } from "../../src/limiter/limiter.ts";
import { rpcAdminMethods } from "../../src/rpc/admin.ts";
import { RulesCache } from "../../src/rules/cache.ts";
import { RuleSet, type RulesSnapshot } from "../../src/rules/rule-set.ts";
import { servicesFor } from "../app.ts";
import { setObjectClock } from "../objects.ts";
import { message, originBot, post, testRegistry } from "../telegram/harness.ts";
import { node, uid } from "./nodes.ts";

// Not before the present: the rules object purges expired rules by its own clock.
const T0 = Date.now();
const HOUR_MS = 3_600_000;
const DAY_S = 86_400;

async function drain(check: () => Promise<{ allowed: boolean }>) {
  let admitted = 0;
  while ((await check()).allowed) admitted++;
  return admitted;
}

describe("refunds across a changed limit", () => {
  it("throttle: keeps the charge rather than give back tokens in another limit's units", async () => {
    const json = { app: "rc1", policies: { p: { kind: "throttle", rate: 2, per: 3600 } } };
    const n = node(json, T0);
    const user = uid();
    await n.pin(`rc1:USER:${user}`);
    const first = await n.limiter.decide([n.registry.get("p")], { user, cost: 1 });
    await n.admin.setOverride("p", { user, limit: { rate: 100, per: 3600 } });
    const before = await drain(() => n.limiter.check({ policies: ["p"], user }));
    await n.limiter.undo(first.ticket);
    const other = node(json, T0);
    const after = await drain(() => other.limiter.check({ policies: ["p"], user }));
    // 100 in all with no time passing, the refunded one included.
    expect(1 + before + after).toBeLessThanOrEqual(100);
  });

  it("window: gives back exactly its own entry, whatever window the refund is read under", async () => {
    const json = { app: "rc2", policies: { w: { kind: "window", limit: 3, window: 60 } } };
    const n = node(json, T0);
    const user = uid();
    await n.pin(`rc2:USER:${user}`);
    const check = async () => (await n.limiter.check({ policies: ["w"], user })).allowed;
    const hourly = { user, limit: { limit: 3, window: 3600 } };
    const override = await n.admin.setOverride("w", hourly);
    expect(await check()).toBe(true);
    n.set(T0 + 40_000);
    await n.admin.removeOverride(override.id);
    const { ticket } = await n.limiter.decide([n.registry.get("w")], { user, cost: 1 });
    await n.admin.setOverride("w", hourly);
    n.set(T0 + 61_000);
    expect(await check()).toBe(true);
    expect(await check()).toBe(false);
    await n.limiter.undo(ticket);
    const other = node(json, T0 + 61_000);
    expect(await drain(() => other.limiter.check({ policies: ["w"], user }))).toBe(1);
  });
});

describe("a window under a changed length", () => {
  it("keeps what a longer window counts through a temporary loosening", async () => {
    const json = { app: "rc3", policies: { daily: { kind: "window", limit: 3, window: DAY_S } } };
    const n = node(json, T0);
    const user = uid();
    await n.pin(`rc3:USER:${user}`);
    const check = async (at = n) => (await at.limiter.check({ policies: ["daily"], user })).allowed;
    expect(await drain(() => n.limiter.check({ policies: ["daily"], user }))).toBe(3);
    n.set(T0 + 2 * HOUR_MS);
    await n.admin.setOverride("daily", { limit: { limit: 10, window: 3600 }, seconds: 900 });
    expect(await check()).toBe(true);
    const later = node(json, T0 + 2 * HOUR_MS + 16 * 60_000);
    expect([await check(later), await check(later)]).toEqual([false, false]);
  });
});

describe("the isolate's memory of denials", () => {
  const json = { app: "rc5", policies: { p: { kind: "throttle", rate: 60, per: 60 } } };

  it("forgets a denial an override's expiry has lifted", async () => {
    const n = node(json, T0);
    const user = uid();
    await n.pin(`rc5:USER:${user}`);
    await n.admin.setOverride("p", { user, limit: { rate: 1, per: 3600 }, seconds: 10 });
    const check = () => n.limiter.check({ policies: ["p"], user });
    expect((await check()).allowed).toBe(true);
    expect((await check()).allowed).toBe(false);
    n.set(T0 + 60_000);
    expect((await check()).allowed).toBe(true);
  });

  it("does not keep a denial decided under rules replaced while it was in flight", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let gated = false;
    const namespace = {
      getByName: (name: string) => {
        const stub = env.LIMITER.getByName(name) as unknown as Record<string, unknown>;
        return new Proxy(stub, {
          get: (target, prop) =>
            prop === "check"
              ? async (...args: unknown[]) => {
                  const answer = await (target.check as (...a: unknown[]) => Promise<unknown>)(
                    ...args,
                  );
                  if (gated) await gate;
                  return answer;
                }
              : Reflect.get(target, prop),
        });
      },
    };
    const n = node(json, T0, namespace);
    const user = uid();
    const override = await n.admin.setOverride("p", { user, limit: { rate: 1, per: 3600 } });
    expect((await n.limiter.check({ policies: ["p"], user })).allowed).toBe(true);
    gated = true;
    const inFlight = n.limiter.check({ policies: ["p"], user });
    await new Promise((resolve) => setTimeout(resolve, 20));
    gated = false;
    await n.admin.removeOverride(override.id);
    expect((await n.limiter.check({ policies: ["p"], user })).allowed).toBe(true);
    release();
    expect((await inFlight).allowed).toBe(false);
    expect((await n.limiter.check({ policies: ["p"], user })).allowed).toBe(true);
  });
});

describe("the isolate's copy of the rules", () => {
  it("fetches anew after a change made here, even with a fetch from before it in flight", async () => {
    let nowMs = 0;
    let version = 1;
    const pending: (() => void)[] = [];
    const cache = new RulesCache({
      fetch: async () => {
        const answer: RulesSnapshot = { version, blocks: [], overrides: [] };
        await new Promise<void>((resolve) => pending.push(resolve));
        return answer;
      },
      compile: (snapshot) => new RuleSet(snapshot, () => undefined),
      abandonedAfterMs: 60_000,
      background: () => {},
      clock: () => nowMs,
    });
    const first = cache.current();
    pending.shift()?.();
    expect((await first).version).toBe(1);
    nowMs = 2_500;
    await cache.current();
    version = 2;
    cache.invalidate();
    const next = cache.current();
    for (const resolve of pending.splice(0)) resolve();
    expect((await next).version).toBe(2);
    nowMs = 3_000;
    expect((await cache.current()).version).toBe(2);
  });

  it("fetches itself when the fetch it joined belongs to a request that is gone", async () => {
    // A cancelled request's call never settles: the first fetch here never answers.
    let fetches = 0;
    const cache = new RulesCache({
      fetch: () => {
        fetches++;
        if (fetches === 1) return new Promise(() => {});
        return Promise.resolve({ version: 7, blocks: [], overrides: [] });
      },
      compile: (snapshot) => new RuleSet(snapshot, () => undefined),
      abandonedAfterMs: 20,
      background: () => {},
    });
    const gone = cache.current();
    const waiter = cache.current();
    expect((await waiter).version).toBe(7);
    expect(fetches).toBe(2);
    // The next request uses the copy the waiter fetched; the lost fetch is not joined again.
    expect((await cache.current()).version).toBe(7);
    expect(fetches).toBe(2);
    void gone;
  });
});

describe("a Telegram update re-sent after a rule changed", () => {
  it("is still a duplicate: the claim stays where the policies as configured put it", async () => {
    const services = servicesFor(testRegistry());
    const app = createApp(services);
    const { received, binding } = originBot();
    const userId = 700_000_000 + Math.floor(Math.random() * 1e6);
    const update = message(userId, "hello");
    expect((await post(app, { ORIGIN: binding }, update)).status).toBe(200);
    // Telegram re-sends it; meanwhile the operator lifts the user's limit on its first policy.
    await rpcAdminMethods(services).setOverride("three", { user: userId, limit: "unlimited" });
    expect((await post(app, { ORIGIN: binding }, update)).status).toBe(200);
    expect(received.map((u) => u.update_id)).toEqual([update.update_id]);
  });
});

describe("leases under an override that lifts the limit", () => {
  it("are still held, count once it is lifted, and release", async () => {
    const json = { app: "rc7", policies: { jobs: { kind: "concurrency", limit: 1, ttl: 600 } } };
    const n = node(json, Date.now());
    const user = uid();
    const override = await n.admin.setOverride("jobs", { user, limit: "unlimited" });
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await n.limiter.acquire({ policy: "jobs", user }));
    expect(held.every((lease) => lease.acquired)).toBe(true);
    await n.admin.removeOverride(override.id);
    expect((await n.limiter.acquire({ policy: "jobs", user })).acquired).toBe(false);
    expect(await n.limiter.release(held[0]?.leaseId as string)).toBe(true);
  });
});

describe("a policy admitted in a batch another policy denied", () => {
  it("is not deleted on its old schedule under a tightened limit", async () => {
    let nowMs = T0;
    const user = `rc8u${Date.now()}`;
    const stub = env.LIMITER.getByName(`rc8:USER:${user}`);
    await setObjectClock(stub, () => nowMs);
    const B = { kind: "throttle", rate: 1, per: 2 * DAY_S };
    const limiter = (A: object) =>
      new Limiter(Registry.fromJson({ app: "rc8", policies: { A, B } }), env.LIMITER, {
        clock: () => nowMs,
      });
    const before = limiter({ kind: "throttle", rate: 5, per: 60 });
    for (let i = 0; i < 3; i++) await before.check({ policies: ["A"], user });
    expect((await before.check({ policies: ["B"], user })).allowed).toBe(true);
    const weekly = { kind: "throttle", rate: 1, per: 7 * DAY_S, burst: 5 };
    const after = limiter(weekly);
    // Met a second after the 3 were taken: A is short of 3 at the old rate, then weekly.
    for (let h = 0; h <= 30; h++) {
      nowMs = T0 + 1000 + h * HOUR_MS;
      await after.check({ policies: ["A", "B"], user });
      await runDurableObjectAlarm(stub);
    }
    nowMs = T0 + 2 * DAY_S * 1000 + 1000;
    const fresh = limiter(weekly);
    let admitted = (await fresh.check({ policies: ["A", "B"], user })).allowed ? 1 : 0;
    admitted += await drain(() => fresh.check({ policies: ["A"], user }));
    // A held 2 tokens (3 short, 1 s at 5 a minute gave back a tenth), and 2 days at one a week
    // add a fraction: two admissions.
    expect(admitted).toBe(2);
  });
});
