import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { LiveBuckets } from "../../src/limiter/buckets.ts";
import { Limiter } from "../../src/limiter/limiter.ts";
import type { LimiterObject } from "../../src/limiter/object.ts";
import { setObjectClock } from "../objects.ts";

// Buckets come from requests: past `maxBuckets` live at once, a new one is denied, so no
// caller can grow a subject's object without end (with a chat scope, for everyone in it).

const T0 = Date.UTC(2026, 0, 1);
let chats = 0;

const registry = Registry.fromJson({
  app: "live",
  policies: {
    per_action: {
      kind: "throttle",
      rate: 1,
      per: 60,
      scope: "chat",
      perRequestBucket: true,
      maxBuckets: 3,
    },
    chat_throttle: { kind: "throttle", rate: 100, per: 60, scope: "chat" },
  },
});

/** A chat of its own, its object's clock held at a time we move. */
async function scenario() {
  const chat = `c${chats++}`;
  const stub = env.LIMITER.getByName(`live:CHAT:${chat}`);
  let nowMs = T0;
  await setObjectClock(stub, () => nowMs);
  // A limiter per call: its memory of denials would answer repeats before the object.
  const check = (bucket: string, policies = ["per_action"]) =>
    new Limiter(registry, env.LIMITER, { clock: () => nowMs }).check({ policies, chat, bucket });
  const at = (ms: number) => {
    nowMs = T0 + ms;
  };
  return { chat, stub, check, at };
}

describe("the bound on live buckets", () => {
  it("denies a new bucket past maxBuckets, saying so and when one frees", async () => {
    const s = await scenario();
    for (const bucket of ["a", "b", "c"]) expect((await s.check(bucket)).allowed).toBe(true);
    s.at(10_000);
    const fourth = await s.check("d");
    expect(fourth.allowed).toBe(false);
    expect(fourth.retryAfterMs).toBe(50_000);
    expect(fourth.policies[0]).toMatchObject({
      allowed: false,
      remaining: 0,
      key: `live:per_action:CHAT:${s.chat}:r=d`,
      reason:
        'too many buckets: 3 of policy "per_action" are live on this subject, and a new one waits until one of them recovers',
    });
    // The buckets there are still decided by their limit.
    const again = await s.check("a");
    expect(again.allowed).toBe(false);
    expect(again.policies[0]?.reason).toBeUndefined();
  });

  it("stops counting a bucket once it has recovered, though it is still stored", async () => {
    const s = await scenario();
    for (const bucket of ["a", "b", "c"]) await s.check(bucket);
    s.at(59_999);
    expect((await s.check("d")).allowed).toBe(false);
    s.at(60_000);
    expect((await s.check("d")).allowed).toBe(true);
    const stored = await runInDurableObject(
      s.stub,
      (_: LimiterObject, state) => [...state.storage.kv.list()].length,
    );
    expect(stored).toBe(4);
    // a, b and c have recovered; d is live: two more new buckets fit, a third does not.
    expect((await s.check("e")).allowed).toBe(true);
    expect((await s.check("f")).allowed).toBe(true);
    expect((await s.check("g")).allowed).toBe(false);
  });

  it("denies the whole check with the bucket, so the subject's other policies spend nothing", async () => {
    const s = await scenario();
    for (const bucket of ["a", "b", "c"]) await s.check(bucket, ["per_action", "chat_throttle"]);
    const denied = await s.check("d", ["per_action", "chat_throttle"]);
    expect(denied.allowed).toBe(false);
    expect(denied.policies[1]).toMatchObject({ name: "chat_throttle", remaining: 97 });
  });

  it("counts the live buckets from storage after the object's memory is lost", async () => {
    const s = await scenario();
    for (const bucket of ["a", "b", "c"]) await s.check(bucket);
    // What a restart does to the object: its memory of buckets starts empty.
    await runInDurableObject(s.stub, (instance: LimiterObject) => {
      (instance as unknown as { buckets: LiveBuckets }).buckets = new LiveBuckets();
    });
    expect((await s.check("d")).allowed).toBe(false);
    expect((await s.check("a")).policies[0]?.reason).toBeUndefined();
  });

  it("bounds each subject's buckets on their own", async () => {
    const first = await scenario();
    const second = await scenario();
    for (const bucket of ["a", "b", "c"]) await first.check(bucket);
    expect((await first.check("d")).allowed).toBe(false);
    expect((await second.check("d")).allowed).toBe(true);
  });
});
