import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { rpcFor } from "../app.ts";
import { api, rejection } from "../helpers.ts";
import { setObjectClock } from "../objects.ts";

const T0 = Date.UTC(2026, 0, 1);

/** The object of `user` on a clock the test moves; returns the setter. */
async function clockFor(user: string) {
  let nowMs = T0;
  await setObjectClock(env.LIMITER.getByName(`test:USER:${user}`), () => nowMs);
  return (atMs: number) => {
    nowMs = atMs;
  };
}

async function acquire(user: string): Promise<string> {
  const res = await api("/v1/leases", { body: { policy: "jobs_concurrency", user } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { leaseId: string }).leaseId;
}

const renew = (leaseId: string, body?: unknown) =>
  api(`/v1/leases/${leaseId}`, { method: "PATCH", body });

describe("PATCH /v1/leases/:id", () => {
  it("keeps a long job's slot past its ttl, and never revives a lease that lapsed", async () => {
    const setNow = await clockFor("long-job");
    const [job, short, other] = [
      await acquire("long-job"),
      await acquire("long-job"),
      await acquire("long-job"),
    ];
    // jobs_concurrency: 3 leases, ttl 60 s. The long job renews at 50 s with no body.
    setNow(T0 + 50_000);
    const renewed = await renew(job);
    expect(renewed.status).toBe(200);
    expect(await renewed.json()).toEqual({ renewed: true, expiresAt: T0 + 110_000 });
    // At 61 s the two others have lapsed: two jobs may start, not a third.
    setNow(T0 + 61_000);
    expect((await api(`/v1/leases/${short}`, { method: "PATCH" })).status).toBe(404);
    await acquire("long-job");
    await acquire("long-job");
    const full = await api("/v1/leases", {
      body: { policy: "jobs_concurrency", user: "long-job" },
    });
    expect(full.status).toBe(429);
    // Released, it is gone for good.
    expect((await api(`/v1/leases/${job}`, { method: "DELETE" })).status).toBe(200);
    const gone = await renew(job, { ttl: 30 });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: "no such lease: unknown, released or expired" });
    expect((await renew(other)).status).toBe(404);
  });

  it("grants at most the policy's ttl from now, and the asked ttl when shorter", async () => {
    const setNow = await clockFor("ttl-cap");
    const job = await acquire("ttl-cap");
    setNow(T0 + 30_000);
    expect(await (await renew(job, { ttl: 3600 })).json()).toEqual({
      renewed: true,
      expiresAt: T0 + 90_000,
    });
    setNow(T0 + 80_000);
    expect(await (await renew(job, { ttl: 20 })).json()).toEqual({
      renewed: true,
      expiresAt: T0 + 100_000,
    });
  });

  it("says what is wrong with a ttl, and answers 404 for an id never issued", async () => {
    const job = await acquire("bad-ttl");
    for (const [body, error] of [
      [{ ttl: 0 }, "ttl must be a positive integer, got 0"],
      [{ ttl: "60" }, 'ttl must be a positive integer, got "60"'],
      [{ tll: 60 }, "tll is not a known field. Did you mean: ttl?"],
      [[60], "the body must be a JSON object"],
    ] as const) {
      const res = await renew(job, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error });
    }
    expect((await renew("garbage")).status).toBe(404);
  });
});

describe("RateLimiter.renew", () => {
  const limiter = exports.RateLimiter;

  it("extends a live lease and answers false once it is released", async () => {
    const setNow = await clockFor("rpc-renew");
    const lease = await limiter.acquire("jobs_concurrency", { user: "rpc-renew" });
    const leaseId = lease.leaseId ?? "";
    setNow(T0 + 45_000);
    expect(await limiter.renew(leaseId)).toEqual({ expiresAt: T0 + 105_000 });
    expect(await limiter.renew(leaseId, 10)).toEqual({ expiresAt: T0 + 105_000 });
    setNow(T0 + 100_000);
    expect(await limiter.renew(leaseId, 10)).toEqual({ expiresAt: T0 + 110_000 });
    expect(await limiter.release(leaseId)).toBe(true);
    expect(await limiter.renew(leaseId)).toBe(false);
    expect(await limiter.renew("not-a-lease")).toBe(false);
  });

  it("throws a clear Error for a ttl that is not whole seconds", async () => {
    const loose = limiter as unknown as { renew(id: unknown, ttl?: unknown): Promise<unknown> };
    const error = await rejection(loose.renew("x.12345678", 1.5));
    expect(error.message).toBe("ttlSeconds must be a positive integer, got 1.5");
    expect((await rejection(loose.renew(42))).message).toBe("leaseId must be a string, got 42");
  });

  it("keeps a job of a disabled policy going: there is nothing to lose", async () => {
    const registry = Registry.fromJson({
      app: "test",
      policies: { off: { kind: "concurrency", limit: 1, ttl: 30, enabled: false } },
    });
    const rpc = rpcFor(registry);
    const lease = await rpc.acquire("off", { user: "anyone" });
    const renewed = await rpc.renew(lease.leaseId ?? "");
    expect(renewed).toEqual({ expiresAt: expect.any(Number) });
    expect(renewed && renewed.expiresAt - Date.now()).toBeLessThanOrEqual(30_000);
  });
});
