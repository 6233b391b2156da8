import { describe, expect, it } from "vitest";
import { api, check } from "../helpers.ts";

describe("POST /v1/check", () => {
  it("admits up to the rate, then answers 429 with headers", async () => {
    for (let i = 0; i < 5; i++) {
      const { res, json } = await check({ policies: ["user_throttle"], user: "alice" });
      expect(res.status).toBe(200);
      expect(json.allowed).toBe(true);
      expect(json.policies[0]?.remaining).toBe(4 - i);
    }
    const { res, json } = await check({ policies: ["user_throttle"], user: "alice" });
    expect(res.status).toBe(429);
    expect(json.allowed).toBe(false);
    expect(res.headers.get("Retry-After")).toBe("12");
    expect(res.headers.get("RateLimit-Policy")).toBe('"user_throttle";q=5;w=60');
    expect(res.headers.get("RateLimit")).toBe('"user_throttle";r=0;t=60');
    expect(res.headers.get("X-RateLimit-Limit")).toBe("5");
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
    expect(res.headers.get("X-RateLimit-Reset")).toBe("60");
  });

  it("keeps users apart", async () => {
    for (let i = 0; i < 5; i++) await check({ policies: ["user_throttle"], user: "bob" });
    const { res } = await check({ policies: ["user_throttle"], user: "carol" });
    expect(res.status).toBe(200);
  });

  it("rejects an unknown policy with a suggestion", async () => {
    const res = await api("/v1/check", { body: { policies: ["user_throtle"], user: "a" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'unknown policy "user_throtle". Did you mean: user_throttle?',
    });
  });
});
