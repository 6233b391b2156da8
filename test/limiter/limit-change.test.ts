import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { Limiter } from "../../src/limiter/limiter.ts";
import type { LimiterObject } from "../../src/limiter/object.ts";
import { KEEP_AFTER_RECOVERY_MS } from "../../src/limiter/store.ts";
import { setObjectClock } from "../objects.ts";

// A policy changed under a subject's stored state (a redeploy, a runtime override): the state
// carries over, and is never taken as fresh before it has recovered under the new limit.

const T0 = Date.UTC(2026, 0, 1);
const HOUR_S = 3600;
const WEEK_S = 7 * 24 * HOUR_S;

let subjects = 0;

/** A subject of its own, and a limiter for any version of policy `p`, at a clock we move. */
function scenario() {
  const user = `u${subjects++}`;
  const stub = env.LIMITER.getByName(`change:USER:${user}`);
  let nowMs = T0;
  const at = async (ms: number) => {
    nowMs = T0 + ms;
    await setObjectClock(stub, () => nowMs);
  };
  const limiterWith = (policy: object) =>
    new Limiter(Registry.fromJson({ app: "change", policies: { p: policy } }), env.LIMITER, {
      clock: () => nowMs,
    });
  const check = async (limiter: Limiter, fingerprint?: string) =>
    (await limiter.check({ policies: ["p"], user, fingerprint })).allowed;
  const sweep = () => runDurableObjectAlarm(stub);
  const stored = () =>
    runInDurableObject(stub, (_: LimiterObject, state) => [...state.storage.kv.list()].length);
  return { user, at, limiterWith, check, sweep, stored };
}

describe("a changed limit", () => {
  it("throttle tightened: the old limit holds until the subject's next check, the new one after", async () => {
    const s = scenario();
    const old = s.limiterWith({ kind: "throttle", rate: 100, per: 60 });
    await s.at(0);
    for (let i = 0; i < 100; i++) expect(await s.check(old)).toBe(true);
    // Half refilled at the old rate (50 short of 100) when the new limit is first met: one a
    // week, with a bucket of one, carries 49 tokens of debt, repaid at the old rate (29.4 s),
    // and then a week for its one token.
    const strict = s.limiterWith({ kind: "throttle", rate: 1, per: WEEK_S });
    await s.at(30_000);
    expect(await s.check(strict)).toBe(false);
    // Stored as carried over: the clean-up keeps it, and the old rate refills nothing more.
    await s.at(30_000 + KEEP_AFTER_RECOVERY_MS + 1000);
    await s.sweep();
    expect(await s.stored()).toBe(1);
    expect(await s.check(strict)).toBe(false);
    await s.at(30_000 + 29_400 + WEEK_S * 1000 - 1);
    expect(await s.check(strict)).toBe(false);
    await s.at(30_000 + 29_400 + WEEK_S * 1000);
    expect(await s.check(strict)).toBe(true);
  });

  it("throttle tightened after it recovered under the old limit: it is full", async () => {
    const s = scenario();
    const old = s.limiterWith({ kind: "throttle", rate: 100, per: 60 });
    await s.at(0);
    for (let i = 0; i < 100; i++) expect(await s.check(old)).toBe(true);
    const strict = s.limiterWith({ kind: "throttle", rate: 1, per: WEEK_S });
    await s.at(61_000);
    expect(await s.check(strict)).toBe(true);
    expect(await s.check(strict)).toBe(false);
  });

  it("throttle loosened: what was consumed stays consumed, the added capacity is free at once", async () => {
    const s = scenario();
    const old = s.limiterWith({ kind: "throttle", rate: 2, per: HOUR_S });
    await s.at(0);
    expect(await s.check(old)).toBe(true);
    expect(await s.check(old)).toBe(true);
    expect(await s.check(old)).toBe(false);
    // 5 an hour: 2 already taken, so 3 more now, and then none.
    const loose = s.limiterWith({ kind: "throttle", rate: 5, per: HOUR_S });
    for (let i = 0; i < 3; i++) expect(await s.check(loose)).toBe(true);
    expect(await s.check(loose)).toBe(false);
  });

  it("throttle's capacity lowered: the tokens consumed count against the smaller bucket", async () => {
    const s = scenario();
    const old = s.limiterWith({ kind: "throttle", rate: 5, per: HOUR_S });
    await s.at(0);
    for (let i = 0; i < 3; i++) expect(await s.check(old)).toBe(true);
    // 4 an hour: 3 taken, so one more.
    const strict = s.limiterWith({ kind: "throttle", rate: 4, per: HOUR_S });
    expect(await s.check(strict)).toBe(true);
    expect(await s.check(strict)).toBe(false);
  });

  it("window lengthened: admissions still held count in the longer window", async () => {
    const s = scenario();
    const old = s.limiterWith({ kind: "window", limit: 3, window: 60 });
    await s.at(0);
    for (let i = 0; i < 3; i++) expect(await s.check(old)).toBe(true);
    const strict = s.limiterWith({ kind: "window", limit: 3, window: HOUR_S });
    await s.at(61_000);
    expect(await s.check(strict)).toBe(false);
    await s.at(HOUR_S * 1000 + 1);
    expect(await s.check(strict)).toBe(true);
  });

  it("window lowered, then raised: the log counts against whichever limit is in force", async () => {
    const s = scenario();
    const wide = s.limiterWith({ kind: "window", limit: 5, window: HOUR_S });
    await s.at(0);
    for (let i = 0; i < 3; i++) expect(await s.check(wide)).toBe(true);
    const narrow = s.limiterWith({ kind: "window", limit: 2, window: HOUR_S });
    expect(await s.check(narrow)).toBe(false);
    expect(await s.check(wide)).toBe(true);
  });

  it("debounce: a fingerprint holds until the expiry it was admitted with", async () => {
    const s = scenario();
    const long = s.limiterWith({ kind: "debounce", window: HOUR_S });
    await s.at(0);
    expect(await s.check(long, "same")).toBe(true);
    const short = s.limiterWith({ kind: "debounce", window: 2 });
    await s.at(3000);
    expect(await s.check(short, "same")).toBe(false);
    expect(await s.check(short, "other")).toBe(true);
    await s.at(HOUR_S * 1000 + 1);
    expect(await s.check(short, "same")).toBe(true);
  });

  it("concurrency: leases held count against a lowered limit, and a raised one frees slots", async () => {
    const s = scenario();
    const three = s.limiterWith({ kind: "concurrency", limit: 3, ttl: 600 });
    await s.at(0);
    const held = [];
    for (let i = 0; i < 2; i++) held.push(await three.acquire({ policy: "p", user: s.user }));
    expect(held.every((lease) => lease.acquired)).toBe(true);
    const one = s.limiterWith({ kind: "concurrency", limit: 1, ttl: 600 });
    expect((await one.acquire({ policy: "p", user: s.user })).acquired).toBe(false);
    await one.release(held[0]?.leaseId as string);
    expect((await one.acquire({ policy: "p", user: s.user })).acquired).toBe(false);
    expect((await three.acquire({ policy: "p", user: s.user })).acquired).toBe(true);
  });
});
