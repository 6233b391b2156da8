import { describe, expect, it } from "vitest";
import { api, check } from "../helpers.ts";

describe("authentication", () => {
  const routes: [string, string, unknown?][] = [
    ["POST", "/v1/check", { policies: ["user_throttle"], user: "u" }],
    ["POST", "/v1/leases", { policy: "jobs_concurrency", user: "u" }],
    ["DELETE", "/v1/leases/abc.12345678"],
    ["POST", "/v1/reset", { policy: "user_throttle", user: "u" }],
    ["GET", "/v1/policies"],
  ];

  it.each(routes)("%s %s needs the bearer token", async (method, path, body) => {
    const missing = await api(path, { method, body, token: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "missing bearer token" });
    const wrong = await api(path, { method, body, token: "test-tokem" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "invalid bearer token" });
    expect(wrong.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  });

  it("serves health without a token", async () => {
    const res = await api("/healthz", { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});

describe("bad input gets a 4xx that says what is wrong", () => {
  const cases: [string, unknown, number, string | RegExp][] = [
    ["malformed JSON", "{nope", 400, /^the body is not valid JSON/],
    ["an empty body", "", 400, "the body is empty; send JSON"],
    ["an array", "[1,2]", 400, "the body must be a JSON object"],
    [
      "policies of the wrong type",
      { policies: "user_throttle" },
      400,
      /^policies must be an array/,
    ],
    ["no policies", { policies: [] }, 400, "policies must name at least one policy"],
    [
      "a separator in an id",
      { policies: ["user_throttle"], user: "a:b" },
      400,
      /^user must not contain ":"/,
    ],
    ["an empty id", { policies: ["user_throttle"], user: "" }, 400, "user must not be empty"],
    [
      "a huge id",
      { policies: ["user_throttle"], user: "x".repeat(500) },
      400,
      /^user must be at most 128/,
    ],
    [
      "a negative cost",
      { policies: ["user_throttle"], user: "a", cost: -1 },
      400,
      "cost must be a positive integer, got -1",
    ],
    [
      "a string cost",
      { policies: ["user_throttle"], user: "a", cost: "NaN" },
      400,
      'cost must be a positive integer, got "NaN"',
    ],
    [
      "a cost beyond capacity",
      { policies: ["user_throttle"], user: "a", cost: 6 },
      400,
      /^cost 6 exceeds the capacity 5/,
    ],
    [
      "an unknown field",
      { policies: ["user_throttle"], usr: "a" },
      400,
      "usr is not a known field. Did you mean: user?",
    ],
    [
      "a concurrency policy in a check",
      { policies: ["jobs_concurrency"], user: "a" },
      400,
      /take it with POST \/v1\/leases/,
    ],
  ];

  it.each(cases)("%s", async (_, body, status, message) => {
    const res = await api("/v1/check", { body });
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string };
    if (typeof message === "string") expect(json.error).toBe(message);
    else expect(json.error).toMatch(message);
  });

  it("refuses bodies over 64 KiB with 413", async () => {
    const body = JSON.stringify({
      policies: ["user_throttle"],
      user: "a",
      fingerprint: "x".repeat(70_000),
    });
    const res = await api("/v1/check", { body });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "the body must be at most 65536 bytes" });
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await api("/v2/nothing");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no route for GET /v2/nothing" });
  });
});

describe("subjects", () => {
  it("takes the IP from CF-Connecting-IP when the body names none", async () => {
    const res = await api("/v1/check", {
      body: { policies: ["login_ip"] },
      headers: { "CF-Connecting-IP": "203.0.113.9" },
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { policies: { key: string }[] };
    expect(json.policies[0]?.key).toBe("test:login_ip:IP:203.0.113.9");
  });

  it("charges the cost of an expensive call", async () => {
    const first = await check({ policies: ["export_cost"], user: "exporter", cost: 5 });
    expect(first.json.policies[0]).toMatchObject({ remaining: 5 });
    await check({ policies: ["export_cost"], user: "exporter", cost: 5 });
    const third = await check({ policies: ["export_cost"], user: "exporter", cost: 5 });
    expect(third.res.status).toBe(429);
    expect(third.res.headers.get("Retry-After")).toBe("30");
  });

  it("accepts numeric Telegram ids", async () => {
    const { json } = await check({ policies: ["group_throttle"], user: 42, chat: -1001234567890 });
    expect(json.policies[0]?.key).toBe("test:group_throttle:GROUP:42:-1001234567890");
  });
});

describe("leases", () => {
  it("acquires up to the limit, then 429, and a release frees a slot", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api("/v1/leases", { body: { policy: "jobs_concurrency", user: "worker" } });
      expect(res.status).toBe(201);
      const json = (await res.json()) as { acquired: boolean; leaseId: string; expiresAt: number };
      expect(json.acquired).toBe(true);
      expect(json.expiresAt).toBeGreaterThan(Date.now());
      ids.push(json.leaseId);
    }
    const full = await api("/v1/leases", { body: { policy: "jobs_concurrency", user: "worker" } });
    expect(full.status).toBe(429);
    expect(full.headers.get("Retry-After")).toBe("60");
    expect(await full.json()).toMatchObject({ acquired: false, remaining: 0 });

    const released = await api(`/v1/leases/${ids[0]}`, { method: "DELETE" });
    expect(released.status).toBe(200);
    expect(await released.json()).toEqual({ released: true });
    const again = await api(`/v1/leases/${ids[0]}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    const retry = await api("/v1/leases", { body: { policy: "jobs_concurrency", user: "worker" } });
    expect(retry.status).toBe(201);
  });

  it("answers 404 for a lease id that was never issued", async () => {
    for (const id of ["garbage", "c2VudGluZWw.12345678", "%00%01"]) {
      const res = await api(`/v1/leases/${id}`, { method: "DELETE" });
      expect(res.status).toBe(404);
    }
  });

  it("refuses leases on a policy that is not a concurrency policy", async () => {
    const res = await api("/v1/leases", { body: { policy: "user_throttle", user: "a" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'policy "user_throttle" is a throttle policy: leases are for concurrency policies',
    });
  });
});

describe("reset and listing", () => {
  it("clears one subject's state for one policy", async () => {
    for (let i = 0; i < 5; i++) await check({ policies: ["user_throttle"], user: "resettable" });
    expect((await check({ policies: ["user_throttle"], user: "resettable" })).res.status).toBe(429);
    const res = await api("/v1/reset", { body: { policy: "user_throttle", user: "resettable" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      reset: true,
      key: "test:user_throttle:USER:resettable",
    });
    expect((await check({ policies: ["user_throttle"], user: "resettable" })).res.status).toBe(200);
  });

  it("says which identifier a reset is missing", async () => {
    const res = await api("/v1/reset", { body: { policy: "group_throttle", user: "a" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'policy "group_throttle" has scope group and needs chat',
    });
  });

  it("lists the bundled policies with their quota and window", async () => {
    const res = await api("/v1/policies");
    expect(res.status).toBe(200);
    const json = (await res.json()) as { app: string; policies: Record<string, unknown>[] };
    expect(json.app).toBe("test");
    expect(json.policies.find((p) => p.name === "user_burst")).toMatchObject({
      scope: "user",
      quota: 10,
      windowSeconds: 10,
      limit: { kind: "throttle", capacity: 10, refillTokens: 1, refillSeconds: 1 },
    });
  });
});

describe("headers on an allowed check", () => {
  it("lists every counted policy and picks the tightest for X-RateLimit", async () => {
    const res = await api("/v1/check", {
      body: { policies: ["user_burst", "user_throttle", "chat_throttle"], user: "h" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("RateLimit-Policy")).toBe(
      '"user_burst";q=10;w=10, "user_throttle";q=5;w=60',
    );
    expect(res.headers.get("RateLimit")).toBe('"user_burst";r=9;t=1, "user_throttle";r=4;t=12');
    expect(res.headers.get("X-RateLimit-Limit")).toBe("5");
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("4");
    expect(res.headers.get("X-RateLimit-Reset")).toBe("12");
    expect(res.headers.get("Retry-After")).toBeNull();
  });
});
