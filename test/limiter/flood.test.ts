import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { registry } from "../../src/config/bundled.ts";
import { TOKEN } from "../helpers.ts";
import { faultyNamespace } from "../reliability/faulty.ts";

const app = createApp(registry);

async function check(namespace: object, body: object) {
  return app.request(
    "/v1/check",
    { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) },
    { ...env, LIMITER: namespace },
  );
}

describe("a flood on one key", () => {
  it("is answered from the denial cache, not by the object", async () => {
    const { namespace, calls } = faultyNamespace("none");
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      statuses.push(
        (await check(namespace, { policies: ["user_throttle"], user: "flooder" })).status,
      );
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(195);
    // Five admissions and the first denial reached the object; the other 194 did not.
    expect(calls).toEqual(Array(6).fill("check"));
  });

  it("still asks the object about a cheaper check than the one denied", async () => {
    const { namespace, calls } = faultyNamespace("none");
    await check(namespace, { policies: ["export_cost"], user: "costly", cost: 10 });
    const denied = await check(namespace, { policies: ["export_cost"], user: "costly", cost: 10 });
    expect(denied.status).toBe(429);
    const dearer = await check(namespace, { policies: ["export_cost"], user: "costly", cost: 10 });
    expect(dearer.status).toBe(429);
    expect(calls).toHaveLength(2);
    await check(namespace, { policies: ["export_cost"], user: "costly", cost: 1 });
    expect(calls).toHaveLength(3);
  });

  it("counts what it saved in /v1/stats", async () => {
    const res = await app.request(
      "/v1/stats",
      { headers: { Authorization: `Bearer ${TOKEN}` } },
      env,
    );
    const json = (await res.json()) as {
      isolate: { deniedFromCache: number; objectCalls: number };
    };
    expect(json.isolate.deniedFromCache).toBeGreaterThanOrEqual(195);
  });
});
