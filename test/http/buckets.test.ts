import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { appFor, rpcFor } from "../app.ts";
import { TOKEN } from "../helpers.ts";
import { faultyNamespace } from "../reliability/faulty.ts";

// A policy with "perRequestBucket": true counts each bucket a check names apart, within the
// check's subject: "5 logins a minute per user per OAuth provider" is one policy.

const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };

let users = 0;
const fresh = (what: string) => `${what}-${users++}`;

/** An app of its own (its memory of denials and its counts start empty), over `registry`. */
function limiterApp(registry?: Registry) {
  const { namespace, calls } = faultyNamespace("none");
  const app = appFor(registry, namespace);
  const send = (path: string, body: object) =>
    app.request(path, { method: "POST", headers: auth, body: JSON.stringify(body) }, env);
  const check = async (body: object) => {
    const res = await send("/v1/check", body);
    return { res, json: (await res.json()) as Record<string, unknown> & CheckJson };
  };
  const stats = async () =>
    ((await (await app.request("/v1/stats", { headers: auth }, env)).json()) as Stats).isolate;
  return { app, send, check, calls, stats };
}

interface CheckJson {
  allowed: boolean;
  error?: string;
  policies: Record<string, unknown>[];
}
interface Stats {
  isolate: { objectCalls: number; deniedFromCache: number };
}

describe("a bucket per request", () => {
  it("counts one user's buckets apart, the same bucket together, and other users apart", async () => {
    const { check } = limiterApp();
    const user = fresh("login");
    const login = (bucket: string, who = user) =>
      check({ policies: ["login_provider"], user: who, bucket });
    for (let remaining = 4; remaining >= 0; remaining--) {
      const { res, json } = await login("google");
      expect(res.status).toBe(200);
      expect(json.policies[0]).toMatchObject({
        remaining,
        key: `test:login_provider:USER:${user}:r=google`,
      });
      expect(res.headers.get("RateLimit")).toMatch(
        new RegExp(`^"login_provider";r=${remaining};t=`),
      );
    }
    const denied = await login("google");
    expect(denied.res.status).toBe(429);
    expect(denied.res.headers.get("Retry-After")).toBe("12");
    const github = await login("github");
    expect(github.res.status).toBe(200);
    expect(github.json.policies[0]).toMatchObject({
      remaining: 4,
      key: `test:login_provider:USER:${user}:r=github`,
    });
    const other = await login("google", fresh("other"));
    expect(other.res.status).toBe(200);
    expect(other.json.policies[0]).toMatchObject({ remaining: 4 });
  });

  it("answers 400 naming the field for a bucket no policy of the check takes", async () => {
    const { check } = limiterApp();
    const { res, json } = await check({ policies: ["user_throttle"], user: "u", bucket: "x" });
    expect(res.status).toBe(400);
    expect(json.error).toBe(
      'bucket is given, but no policy of this call takes one (user_throttle): only a policy with "perRequestBucket": true counts per bucket',
    );
    for (const [bucket, error] of [
      ["a:b", 'bucket must not contain ":" or control characters'],
      ["", "bucket must not be empty"],
      [["google"], 'bucket must be a string or an integer, got ["google"]'],
    ]) {
      const bad = await check({ policies: ["login_provider"], user: "u", bucket });
      expect(bad.res.status).toBe(400);
      expect(bad.json.error).toBe(error);
    }
  });

  it("skips a policy that takes a bucket when the check names none, and counts the rest", async () => {
    const { check } = limiterApp();
    const user = fresh("nobucket");
    const { res, json } = await check({ policies: ["login_provider", "user_throttle"], user });
    expect(res.status).toBe(200);
    expect(json.policies).toMatchObject([
      { name: "login_provider", allowed: true, skipped: true, reason: "needs bucket" },
      { name: "user_throttle", allowed: true, remaining: 4 },
    ]);
    expect(json.policies[0]?.key).toBeUndefined();
    const anonymous = await check({ policies: ["login_provider"] });
    expect(anonymous.json.policies[0]).toMatchObject({ reason: "needs user and bucket" });
  });

  it("decides a bucket with the subject's other policies in one call, all or nothing", async () => {
    const { check, calls } = limiterApp();
    const user = fresh("both");
    for (let i = 0; i < 5; i++) await check({ policies: ["user_throttle"], user });
    const before = calls.length;
    const { res, json } = await check({
      policies: ["login_provider", "user_throttle"],
      user,
      bucket: "google",
    });
    expect(res.status).toBe(429);
    expect(calls.length - before).toBe(1);
    // The throttle denied, so the bucket consumed nothing.
    expect(json.policies[0]).toMatchObject({ name: "login_provider", allowed: true, remaining: 5 });
    const alone = await check({ policies: ["login_provider"], user, bucket: "google" });
    expect(alone.json.policies[0]).toMatchObject({ remaining: 4 });
  });

  it("remembers denials per bucket: a flood on one never stops another", async () => {
    const { check, stats } = limiterApp();
    const user = fresh("flood");
    for (let i = 0; i < 20; i++)
      await check({ policies: ["login_provider"], user, bucket: "google" });
    expect(await stats()).toMatchObject({ objectCalls: 6, deniedFromCache: 14 });
    const github = await check({ policies: ["login_provider"], user, bucket: "github" });
    expect(github.res.status).toBe(200);
    expect(await stats()).toMatchObject({ objectCalls: 7, deniedFromCache: 14 });
  });

  it("resets one bucket, over HTTP and RPC, and needs the bucket to", async () => {
    const { check, send } = limiterApp();
    const user = fresh("reset");
    const google = { policies: ["login_provider"], user, bucket: "google" };
    const github = { policies: ["login_provider"], user, bucket: "github" };
    for (let i = 0; i < 6; i++) await check(google);
    for (let i = 0; i < 6; i++) await check(github);
    const reset = await send("/v1/reset", { policy: "login_provider", user, bucket: "google" });
    expect(await reset.json()).toEqual({
      reset: true,
      key: `test:login_provider:USER:${user}:r=google`,
    });
    // This isolate denied the bucket from memory until now; the reset forgets that too.
    expect((await check(google)).res.status).toBe(200);
    expect((await check(github)).res.status).toBe(429);

    const noBucket = await send("/v1/reset", { policy: "login_provider", user });
    expect(noBucket.status).toBe(400);
    expect(await noBucket.json()).toEqual({
      error: 'policy "login_provider" has scope user, counts per bucket, and needs bucket',
    });
    const stray = await send("/v1/reset", { policy: "user_throttle", user, bucket: "google" });
    expect(stray.status).toBe(400);
    expect(((await stray.json()) as { error: string }).error).toMatch(/^bucket is given/);

    const rpc = rpcFor();
    await expect(rpc.reset("login_provider", { user, bucket: "github" })).resolves.toEqual({
      key: `test:login_provider:USER:${user}:r=github`,
    });
    // Asked through the other limiter: this app's memory of the denial may stand until it
    // lapses (README, "Floods").
    expect((await rpc.check(github)).allowed).toBe(true);
  });

  it("takes the bucket over RPC, with the same results as HTTP", async () => {
    const rpc = rpcFor();
    const user = fresh("rpc");
    const result = await rpc.check({ policies: ["login_provider"], user, bucket: "apple" });
    expect(result.policies[0]).toMatchObject({
      allowed: true,
      remaining: 4,
      key: `test:login_provider:USER:${user}:r=apple`,
    });
    await expect(rpc.check({ policies: ["user_throttle"], user, bucket: "apple" })).rejects.toThrow(
      /^bucket is given, but no policy of this call takes one/,
    );
    const listed = await rpc.policies();
    expect(listed.policies.find((p) => p.name === "login_provider")).toMatchObject({
      perRequestBucket: true,
      maxBuckets: 64,
    });
  });

  it("decides shadow policies per bucket, never denying", async () => {
    const registry = Registry.fromJson({
      app: "shadowed",
      policies: {
        tried: { kind: "throttle", rate: 1, per: 60, perRequestBucket: true, mode: "shadow" },
      },
    });
    const { check } = limiterApp(registry);
    const user = fresh("shadow");
    await check({ policies: ["tried"], user, bucket: "a" });
    const again = await check({ policies: ["tried"], user, bucket: "a" });
    expect(again.res.status).toBe(200);
    expect(again.json.policies[0]).toMatchObject({ allowed: false, shadow: true });
    const other = await check({ policies: ["tried"], user, bucket: "b" });
    expect(other.json.policies[0]).toMatchObject({ allowed: true, shadow: true, remaining: 0 });
  });

  it("leases per bucket, released by the id alone", async () => {
    const { send } = limiterApp();
    const user = fresh("jobs");
    const acquire = async (bucket: string) => {
      const res = await send("/v1/leases", { policy: "task_slots", user, bucket });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const exports = await acquire("export");
    expect(exports.status).toBe(201);
    expect((await acquire("export")).status).toBe(429);
    expect((await acquire("import")).status).toBe(201);
    // task_slots holds at most 2 types at once: a third waits for one to be released.
    const third = await acquire("sync");
    expect(third.status).toBe(429);
    expect(third.json.reason).toMatch(/^too many buckets: 2 of policy "task_slots" are live/);
    const leaseId = encodeURIComponent(String(exports.json.leaseId));
    const released = await appFor().request(
      `/v1/leases/${leaseId}`,
      { method: "DELETE", headers: auth },
      env,
    );
    expect(await released.json()).toEqual({ released: true });
    expect((await acquire("sync")).status).toBe(201);
  });
});
