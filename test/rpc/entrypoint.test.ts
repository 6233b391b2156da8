import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, check } from "../helpers.ts";
import { setObjectClock } from "../objects.ts";

// The RateLimiter entrypoint over RPC, as a consumer's service binding reaches it.
const limiter = exports.RateLimiter;

// The same stub with the argument types loosened, to send what a careless caller might.
const loose = limiter as unknown as {
  check(input: unknown): Promise<unknown>;
  acquire(policy: unknown, subject?: unknown): Promise<unknown>;
  release(leaseId: unknown): Promise<unknown>;
  reset(policy: unknown, subject?: unknown): Promise<unknown>;
};

async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("RateLimiter.check", () => {
  it("answers with the same result as POST /v1/check", async () => {
    const policies = ["user_throttle", "chat_throttle", "new_rule_shadow", "retired_rule"];
    const overHttp = await check({ policies, user: "same-shape" });
    const overRpc = await limiter.check({ policies, user: "same-shape-rpc" });
    const expected = JSON.parse(
      JSON.stringify(overHttp.json).replaceAll("USER:same-shape", "USER:same-shape-rpc"),
    );
    expect(overRpc).toEqual(expected);
    expect(
      overRpc.policies.map((p) => [p.name, p.allowed, p.skipped, p.shadow, p.disabled]),
    ).toEqual([
      ["user_throttle", true, undefined, undefined, undefined],
      ["chat_throttle", true, true, undefined, undefined],
      ["new_rule_shadow", true, undefined, true, undefined],
      ["retired_rule", true, undefined, undefined, true],
    ]);
  });

  it("returns a denial as data, with when to retry", async () => {
    for (let i = 4; i >= 0; i--) {
      const allowed = await limiter.check({ policies: ["user_throttle"], user: 7 });
      expect(allowed).toMatchObject({ allowed: true, policies: [{ remaining: i }] });
    }
    const denied = await limiter.check({ policies: ["user_throttle"], user: 7 });
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(12_000);
    expect(denied.policies[0]).toMatchObject({
      name: "user_throttle",
      allowed: false,
      remaining: 0,
      key: "test:user_throttle:USER:7",
    });
  });

  it("counts an IPv6 caller per network and an IPv4-mapped one as IPv4", async () => {
    const v6 = await limiter.check({ policies: ["login_ip"], ip: "2001:DB8:7::1" });
    expect(v6.policies[0]?.key).toBe("test:login_ip:IP:2001-db8-7--/64");
    const mapped = await limiter.check({ policies: ["login_ip"], ip: "::ffff:192.0.2.44" });
    expect(mapped.policies[0]?.key).toBe("test:login_ip:IP:192.0.2.44");
    const reset = await limiter.reset("login_ip", { ip: "2001:db8:7::2" });
    expect(reset).toEqual({ key: "test:login_ip:IP:2001-db8-7--/64" });
    // Through a plain promise, as test/limiter/object.test.ts explains.
    const refused = Promise.resolve(limiter.check({ policies: ["login_ip"], ip: "localhost" }));
    await expect(refused).rejects.toThrow('ip must be an IPv4 or IPv6 address, got "localhost"');
  });

  it("shares its counts with the HTTP API: one limiter behind both doors", async () => {
    for (let i = 0; i < 5; i++) await limiter.check({ policies: ["user_throttle"], user: "both" });
    const { res } = await check({ policies: ["user_throttle"], user: "both" });
    expect(res.status).toBe(429);
  });
});

describe("RateLimiter leases", () => {
  it("acquires up to the limit, then reports full, and a release frees a slot", async () => {
    const leases = [];
    for (const remaining of [2, 1, 0]) {
      const lease = await limiter.acquire("jobs_concurrency", { user: "worker-1" });
      expect(lease).toMatchObject({ acquired: true, limit: 3, remaining, retryAfterMs: 0 });
      expect(lease.leaseId).toEqual(expect.any(String));
      expect(lease.expiresAt).toBeGreaterThan(Date.now());
      leases.push(lease);
    }
    const full = await limiter.acquire("jobs_concurrency", { user: "worker-1" });
    expect(full).toMatchObject({ acquired: false, remaining: 0, leaseId: undefined });
    expect(full.retryAfterMs).toBeGreaterThan(0);

    expect(await limiter.release(leases[0]?.leaseId ?? "")).toBe(true);
    expect(await limiter.release(leases[0]?.leaseId ?? "")).toBe(false);
    const again = await limiter.acquire("jobs_concurrency", { user: "worker-1" });
    expect(again).toMatchObject({ acquired: true, remaining: 0 });
  });

  it("answers false for a lease id that names no lease", async () => {
    expect(await limiter.release("not-a-lease")).toBe(false);
    expect(await limiter.release("c2VudGluZWw6am9ic19jb25jdXJyZW5jeTpVU0VSOng.12345678")).toBe(
      false,
    );
  });
});

describe("RateLimiter.reset and policies", () => {
  it("forgets a subject's state, so it is admitted again", async () => {
    for (let i = 0; i < 6; i++)
      await limiter.check({ policies: ["user_throttle"], user: "reset-me" });
    expect(await limiter.reset("user_throttle", { user: "reset-me" })).toEqual({
      key: "test:user_throttle:USER:reset-me",
    });
    const after = await limiter.check({ policies: ["user_throttle"], user: "reset-me" });
    expect(after).toMatchObject({ allowed: true, policies: [{ remaining: 4 }] });
  });

  it("lists the policies as GET /v1/policies does", async () => {
    const overHttp = await (await api("/v1/policies")).json();
    const overRpc = await limiter.policies();
    expect(overRpc).toEqual(overHttp);
    expect(overRpc.policies.find((p) => p.name === "login_ip")).toMatchObject({
      quota: 5,
      windowSeconds: 60,
      scope: "ip",
    });
  });
});

describe("RateLimiter errors", () => {
  const cases: [string, () => Promise<unknown>, string | RegExp][] = [
    [
      "an unknown policy, with a suggestion",
      () => loose.check({ policies: ["user_throtle"], user: "a" }),
      'unknown policy "user_throtle". Did you mean: user_throttle?',
    ],
    [
      "an unknown policy in acquire",
      () => loose.acquire("jobs", { user: "a" }),
      /^unknown policy "jobs"\. Did you mean: jobs_concurrency\?$/,
    ],
    [
      "an id with the key separator",
      () => loose.check({ policies: ["user_throttle"], user: "a:b" }),
      /^user must not contain ":"/,
    ],
    ["an empty id", () => loose.reset("user_throttle", { user: "" }), "user must not be empty"],
    [
      "policies that are not an array",
      () => loose.check({ policies: "user_throttle", user: "a" }),
      /^policies must be an array of policy names, got "user_throttle"/,
    ],
    [
      "a cost that is not a number",
      () => loose.check({ policies: ["user_throttle"], user: "a", cost: "2" }),
      'cost must be a positive integer, got "2"',
    ],
    [
      "a misspelt field",
      () => loose.check({ policies: ["user_throttle"], usr: "a" }),
      "usr is not a known field. Did you mean: user?",
    ],
    [
      "a check that is not an object",
      () => loose.check("user_throttle"),
      'check() takes an object like { policies: ["user_throttle"], user: "42" }, ' +
        'got "user_throttle"',
    ],
    [
      "a subject that is not an object",
      () => loose.acquire("jobs_concurrency", "42"),
      'acquire(policy, subject) takes a subject object like { user: "42" }, got "42"',
    ],
    [
      "a policy name that is not a string",
      () => loose.reset(42, { user: "a" }),
      "policy must be a policy name, got 42",
    ],
    [
      "a lease id that is not a string",
      () => loose.release({ id: "x" }),
      'leaseId must be a string, got {"id":"x"}',
    ],
    [
      "a subject the policy's scope cannot use",
      () => loose.reset("login_ip", { user: "a" }),
      'policy "login_ip" has scope ip and needs ip',
    ],
    [
      "a lease of a throttle",
      () => loose.acquire("user_throttle", { user: "a" }),
      /^policy "user_throttle" is a throttle policy: leases are for concurrency policies/,
    ],
  ];

  it.each(cases)("throws a plain Error that says what is wrong: %s", async (_, call, message) => {
    const error = await rejection(call());
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("Error");
    if (typeof message === "string") expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it("answers a failing object with a plain 'limiter unavailable', leaking nothing", async () => {
    await setObjectClock(env.LIMITER.getByName("test:USER:broken"), () => {
      throw new Error("clock is broken in src/limiter/object.ts");
    });
    const error = await rejection(limiter.acquire("jobs_concurrency", { user: "broken" }));
    expect(error.message).toBe("limiter unavailable; retry later");
    expect(error.name).toBe("Error");
  });
});
