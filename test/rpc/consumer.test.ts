import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";

// The example consumer (examples/consumer), run from its deploy bundle as a second Worker
// whose LIMITER service binding reaches this worker's RateLimiter entrypoint. CONSUMER is
// bound in vitest.config.ts only, so the generated Env does not know it.
const consumer = (env as unknown as { CONSUMER: Fetcher }).CONSUMER;

const hello = (user: string) =>
  consumer.fetch("http://consumer.test/hello", { headers: { "X-User": user } });
const login = (ip: string) =>
  consumer.fetch("http://consumer.test/login", {
    method: "POST",
    headers: { "CF-Connecting-IP": ip },
  });

describe("a consumer Worker over the service binding", () => {
  // The first call starts the limiter's objects; on a busy machine that can outlast the
  // client's 2 s timeout, which answers 503 (fail closed). The tests are about what follows.
  beforeAll(async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      if ((await hello("warm-up")).status !== 503) return;
    }
  });

  it("admits 5 a minute per user with rate-limit headers, then answers 429", async () => {
    for (let remaining = 4; remaining >= 0; remaining--) {
      const res = await hello("alice");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ hello: "alice" });
      expect(res.headers.get("RateLimit-Policy")).toBe('"user_throttle";q=5;w=60');
      expect(res.headers.get("RateLimit")).toMatch(
        new RegExp(`^"user_throttle";r=${remaining};t=`),
      );
      expect(res.headers.get("X-RateLimit-Remaining")).toBe(String(remaining));
      expect(res.headers.get("Retry-After")).toBeNull();
    }
    const denied = await hello("alice");
    expect(denied.status).toBe(429);
    const retryAfter = Number(denied.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12);
    expect(denied.headers.get("RateLimit")).toMatch(/^"user_throttle";r=0;t=\d+$/);
    expect(denied.headers.get("X-RateLimit-Limit")).toBe("5");
    const body = (await denied.json()) as { error: string; retryAfterMs: number };
    expect(body).toEqual({
      error: "rate limited",
      retryAfterMs: expect.any(Number),
      policies: ["user_throttle"],
    });
    expect(Math.ceil(body.retryAfterMs / 1000)).toBe(retryAfter);

    const bob = await hello("bob");
    expect(bob.status).toBe(200);
  });

  it("limits logins per client IP", async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login("198.51.100.7")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const other = await login("198.51.100.8");
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({ ok: true, remaining: 4 });
  });

  it("limits IPv6 visitors per network, and lets a visitor with no address through", async () => {
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await login(`2001:db8:42::${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await login("2001:db8:43::1")).status).toBe(200);
    const anonymous = await consumer.fetch("http://consumer.test/login", { method: "POST" });
    expect(anonymous.status).toBe(200);
  });

  it("limits logins per user per provider, the bucket taken from the path", async () => {
    const login = (provider: string, user: string) =>
      consumer.fetch(`http://consumer.test/login/${provider}`, {
        method: "POST",
        headers: { "X-User": user },
      });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login("google", "dave")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const github = await login("github", "dave");
    expect(await github.json()).toEqual({ ok: true, remaining: 4 });
    expect((await login("google", "erin")).status).toBe(200);
  });

  it("counts only failed sign-ins: successes are refunded, failures run into the limit", async () => {
    const signin = (password: string) =>
      consumer.fetch("http://consumer.test/signin", {
        method: "POST",
        headers: { "CF-Connecting-IP": "198.51.100.30" },
        body: password,
      });
    // login_ip admits 5 a minute: twice that many successes pass, each given back.
    for (let i = 0; i < 10; i++) expect((await signin("correct horse")).status).toBe(200);
    const failures = [];
    for (let i = 0; i < 6; i++) failures.push((await signin("wrong")).status);
    expect(failures).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await signin("correct horse")).status).toBe(429);
  });

  it("counts in the limiter under test: a reset over RPC lets the user in again", async () => {
    for (let i = 0; i < 5; i++) await hello("carol");
    expect((await hello("carol")).status).toBe(429);
    await exports.RateLimiter.reset("user_throttle", { user: "carol" });
    expect((await hello("carol")).status).toBe(200);
  });
});
