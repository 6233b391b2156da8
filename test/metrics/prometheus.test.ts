import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { callback, post } from "../telegram/harness.ts";
import { ADMIN, METRICS_TOKEN, metricsIsolate, metricsRegistry } from "./harness.ts";

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

/** The value of one series, by its name and its labels exactly. */
function sample(families: Family[], name: string, labels: Record<string, string>) {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find(
    (m) =>
      JSON.stringify(Object.entries(m.labels ?? {}).sort()) ===
      JSON.stringify(Object.entries(labels).sort()),
  );
  return found === undefined ? undefined : Number(found.value);
}

describe("GET /metrics", () => {
  it("needs the metrics or the admin token: without one, or with the API token, 401", async () => {
    const node = metricsIsolate(metricsRegistry());
    for (const token of [undefined, "test-token", "wrong"]) {
      const res = await node.request("/metrics", { token });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="limiter"/);
    }
    for (const token of [METRICS_TOKEN, ADMIN]) {
      const res = await node.request("/metrics", { token });
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    }
  });

  it("serves cumulative counters per policy, door, bot and rule, as Prometheus parses them", async () => {
    const rule = 'say "hi" \\ twice';
    const registry = metricsRegistry({}, "open", rule);
    const node = metricsIsolate(registry);
    for (let i = 0; i < 10; i++) await node.check({ policies: ["enforced"], user: "alice-42" });
    for (let i = 0; i < 6; i++) await node.check({ policies: ["shadowed"], user: "bob-43" });
    const origin = { ORIGIN: { fetch: async () => new Response("ok") } };
    await post(node.app, origin, callback(4_242_424, "z"), { bot: "metricsbot" });
    node.services.metrics?.gateway("metricsbot", { sent: 3, waited: 2, waitedMs: 850 });
    node.services.metrics?.gateway("metricsbot", { answered429: 1, telegram429: 2 });

    const res = await node.request("/metrics", { token: METRICS_TOKEN });
    const text = await res.text();
    const families = parsePrometheusTextFormat(text) as Family[];
    const http = (policy: string) => ({ policy, door: "http" });
    expect(sample(families, "edge_limiter_checks_total", http("enforced"))).toBe(10);
    expect(sample(families, "edge_limiter_admitted_total", http("enforced"))).toBe(7);
    expect(sample(families, "edge_limiter_denied_total", http("enforced"))).toBe(3);
    expect(sample(families, "edge_limiter_denied_from_cache_total", http("enforced"))).toBe(2);
    expect(sample(families, "edge_limiter_shadow_denied_total", http("shadowed"))).toBe(4);
    expect(
      sample(families, "edge_limiter_unavailable_total", {
        ...http("enforced"),
        fail_mode: "open",
      }),
    ).toBe(0);
    const telegram = { policy: "enforced", door: "telegram", bot: "metricsbot", rule };
    expect(sample(families, "edge_limiter_checks_total", telegram)).toBe(1);
    const bot = { bot: "metricsbot" };
    expect(sample(families, "edge_limiter_gateway_sent_total", bot)).toBe(3);
    expect(sample(families, "edge_limiter_gateway_waited_total", bot)).toBe(2);
    expect(sample(families, "edge_limiter_gateway_wait_seconds_total", bot)).toBe(0.85);
    expect(sample(families, "edge_limiter_gateway_answered_429_total", bot)).toBe(1);
    expect(sample(families, "edge_limiter_gateway_telegram_429_total", bot)).toBe(2);
    for (const family of families) expect(family.type).toBe("COUNTER");
    // Never a subject id: those stay in the admin JSON and on the dashboard.
    for (const id of ["alice-42", "bob-43", "4242424", "USER:"]) expect(text).not.toContain(id);
  });

  it("only grows: counters are cumulative across readings", async () => {
    const node = metricsIsolate(metricsRegistry());
    const read = async () => {
      const text = await (await node.request("/metrics", { token: ADMIN })).text();
      const families = parsePrometheusTextFormat(text) as Family[];
      return sample(families, "edge_limiter_checks_total", { policy: "enforced", door: "http" });
    };
    await node.check({ policies: ["enforced"], user: "c" });
    expect(await read()).toBe(1);
    node.advance(3 * 3_600_000);
    await node.check({ policies: ["enforced"], user: "c" });
    expect(await read()).toBe(2);
  });
});
