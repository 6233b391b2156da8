import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { appFor } from "../app.ts";
import { TOKEN } from "../helpers.ts";
import { faultyNamespace } from "../reliability/faulty.ts";

const auth = { Authorization: `Bearer ${TOKEN}` };

/** An app of its own per test: its limiter's memory of denials and its counts start empty. */
function limiterApp() {
  const { namespace, calls } = faultyNamespace("none");
  const app = appFor(undefined, namespace);
  const check = (body: object) =>
    app.request("/v1/check", { method: "POST", headers: auth, body: JSON.stringify(body) }, env);
  return { app, check, calls };
}

describe("a flood on one key", () => {
  it("is answered from the denial cache, not by the object", async () => {
    const { check, calls } = limiterApp();
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      statuses.push((await check({ policies: ["user_throttle"], user: "flooder" })).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(195);
    // Five admissions and the first denial reached the object; the other 194 did not.
    expect(calls).toEqual(Array(6).fill("check"));
  });

  it("still asks the object about a cheaper check than the one denied", async () => {
    const { check, calls } = limiterApp();
    await check({ policies: ["export_cost"], user: "costly", cost: 10 });
    const denied = await check({ policies: ["export_cost"], user: "costly", cost: 10 });
    expect(denied.status).toBe(429);
    const dearer = await check({ policies: ["export_cost"], user: "costly", cost: 10 });
    expect(dearer.status).toBe(429);
    expect(calls).toHaveLength(2);
    await check({ policies: ["export_cost"], user: "costly", cost: 1 });
    expect(calls).toHaveLength(3);
  });

  it("counts what it saved, and what it asked, in /v1/stats", async () => {
    const { app, check } = limiterApp();
    for (let i = 0; i < 10; i++) await check({ policies: ["user_throttle"], user: "counted" });
    const res = await app.request("/v1/stats", { headers: auth }, env);
    expect(await res.json()).toEqual({
      isolate: { objectCalls: 6, deniedFromCache: 4, cachedDenials: 1 },
    });
  });
});
