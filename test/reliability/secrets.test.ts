import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { browser } from "../dashboard/harness.ts";
import { api, TOKEN } from "../helpers.ts";
import { METRICS_TOKEN, metricsIsolate, metricsRegistry } from "../metrics/harness.ts";
import { ADMIN } from "../rules/harness.ts";
import {
  appFor,
  message,
  ORIGIN_SECRET,
  post,
  testRegistry,
  WEBHOOK_SECRET,
} from "../telegram/harness.ts";
import { faultyNamespace } from "./faulty.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything the worker wrote to the console while `run` ran. */
async function logsOf(run: () => Promise<string[]>): Promise<{ logs: string; bodies: string }> {
  const lines: string[] = [];
  for (const level of ["log", "error", "warn", "info", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
  }
  const bodies = await run();
  return { logs: lines.join("\n"), bodies: bodies.join("\n") };
}

describe("secrets", () => {
  it("never appear in logs or error bodies, on any path that logs", async () => {
    const app = appFor(testRegistry());
    let session = "";
    const { logs, bodies } = await logsOf(async () => {
      const texts: string[] = [];
      const keep = async (res: Response) => texts.push(await res.text());
      // Wrong and missing tokens.
      await keep(
        await api("/v1/check", { body: { policies: ["user_throttle"] }, token: `${TOKEN}x` }),
      );
      await keep(await api("/v1/policies", { token: null }));
      // The admin token where the API token belongs, and the other way round.
      await keep(await api("/v1/check", { body: { policies: ["user_throttle"] }, token: ADMIN }));
      await keep(await api("/v1/admin/blocks", { token: TOKEN }));
      await keep(await api("/v1/admin/blocks", { body: { user: "s", ip: "x" }, token: ADMIN }));
      // A wrong webhook secret, an origin that fails, and a limiter that fails.
      await keep(await post(app, {}, message(1, "a"), { secret: `${WEBHOOK_SECRET}x` }));
      const down = { fetch: async () => new Response("down", { status: 500 }) };
      await keep(await post(app, { ORIGIN: down }, message(2, "b")));
      const { namespace } = faultyNamespace("throw");
      const failing = appFor(testRegistry(), namespace);
      await keep(await post(failing, { ORIGIN: down }, message(3, "c")));
      const closed = appFor(testRegistry({ failMode: "closed" }), namespace);
      await keep(await post(closed, {}, message(4, "d")));
      await keep(await api("/v1/check", { body: "{broken" }));
      // The metrics: a wrong token on /metrics, the API token on the admin JSON, a flush
      // that fails.
      await keep(await api("/metrics", { token: `${METRICS_TOKEN}x` }));
      await keep(await api("/metrics", { token: null }));
      await keep(await api("/v1/admin/metrics?minutes=0", { token: METRICS_TOKEN }));
      const unreachable = {
        getByName: () => ({ apply: async () => Promise.reject(new Error("down")) }),
      };
      const isolate = metricsIsolate(metricsRegistry(), { metrics: unreachable });
      await keep(await isolate.check({ policies: ["enforced"], user: "s" }));
      await isolate.settled();
      // The dashboard: a wrong token, then a real session whose forms fail.
      const dash = browser(metricsRegistry());
      texts.push((await dash.signIn(`${ADMIN}x`)).html);
      await dash.signIn();
      session = dash.cookie();
      texts.push((await dash.post("/dashboard/blocks", { identity: "user" }, { csrf: "x" })).html);
      await dash.get();
      texts.push((await dash.post("/dashboard/blocks", { identity: "user", value: ":" })).html);
      texts.push((await dash.post("/dashboard/overrides", { policy: "nope" })).html);
      return texts;
    });
    expect(logs.length).toBeGreaterThan(0);
    expect(session).toMatch(/^__Host-limiter_session=.{40,}/);
    const cookieValue = session.split("=").slice(1).join("=");
    expect(logs).not.toContain(cookieValue);
    expect(bodies).not.toContain(cookieValue);
    const secrets = [TOKEN, ADMIN, METRICS_TOKEN, WEBHOOK_SECRET, ORIGIN_SECRET];
    for (const secret of [...secrets, env.TELEGRAM_SECRET_DEMO]) {
      expect(logs).not.toContain(secret);
      expect(bodies).not.toContain(secret);
    }
  });
});
