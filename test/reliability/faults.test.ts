import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { appFor } from "../app.ts";
import bundled from "../fixtures/policies.json";
import { TOKEN } from "../helpers.ts";
import { type Fault, faultyNamespace } from "./faulty.ts";

// A hang must outlast the budget, so a short one keeps those tests quick. Every other fault
// fails or succeeds at once, so its budget is the longest allowed: the time budget is wall
// clock, and a busy machine must not turn a retry that succeeds into a timeout.
const budgetFor = (fault: Fault) => (fault === "hang" ? 100 : 30_000);

function appWith(failMode: "open" | "closed", namespace: object, budgetMs = 100) {
  return appFor(Registry.fromJson({ ...bundled, limiter: { budgetMs, failMode } }), namespace);
}

async function checkThrough(failMode: "open" | "closed", fault: Fault, user = "f") {
  const { namespace, calls } = faultyNamespace(fault);
  const res = await appWith(failMode, namespace, budgetFor(fault)).request(
    "/v1/check",
    {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ policies: ["user_throttle"], user }),
    },
    env,
  );
  return { res, calls, text: await res.text() };
}

describe("faults on the HTTP door", () => {
  it.each(["throw", "overloaded", "hang"] as const)(
    "fails closed on %s: 503 with Retry-After, no stack trace",
    async (fault) => {
      const { res, text } = await checkThrough("closed", fault);
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).toBe("1");
      const json = JSON.parse(text);
      expect(json).toMatchObject({ allowed: false, unavailable: true });
      expect(text).not.toMatch(/storage exploded|at .*\.ts|Error:/);
    },
  );

  it.each(["throw", "overloaded", "hang"] as const)(
    "fails open on %s when configured: 200, marked unavailable",
    async (fault) => {
      const { res, text } = await checkThrough("open", fault);
      expect(res.status).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ allowed: true, unavailable: true });
      expect(res.headers.get("RateLimit")).toBeNull();
    },
  );

  it("never retries an overloaded object", async () => {
    const { calls } = await checkThrough("closed", "overloaded");
    expect(calls).toEqual(["check"]);
  });

  it("retries a retryable error once, and then decides", async () => {
    const { res, calls, text } = await checkThrough("closed", "retryable-once", "retried");
    expect(calls).toEqual(["check", "check"]);
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ allowed: true, policies: [{ remaining: 4 }] });
  });

  it("answers lease and reset calls with 503 while the limiter is down", async () => {
    const { namespace } = faultyNamespace("throw");
    const app = appWith("open", namespace);
    const res = await app.request(
      "/v1/leases",
      {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ policy: "jobs_concurrency", user: "u" }),
      },
      env,
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "limiter unavailable; retry later" });
  });
});
