import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { base64UrlToText } from "../../src/platform/base64url.ts";
import { browser } from "../dashboard/harness.ts";
import { api, TOKEN } from "../helpers.ts";
import { METRICS_TOKEN, metricsIsolate, metricsRegistry } from "../metrics/harness.ts";
import { ADMIN } from "../rules/harness.ts";
import { BOT_TOKEN, botCall, gatewayWorld } from "../telegram/gateway/harness.ts";
import {
  appFor,
  message,
  ORIGIN_SECRET,
  post,
  testRegistry,
  WEBHOOK_SECRET,
} from "../telegram/harness.ts";
import { faultyNamespace } from "./faulty.ts";

const NEXT_TOKEN = "next-token-during-rotation";

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
    const tickets: string[] = [];
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
      // A rotation under way: the next token, a wrong one, and a bad request with each.
      const rotating = { ...env, API_TOKEN_NEXT: NEXT_TOKEN };
      for (const token of [NEXT_TOKEN, `${NEXT_TOKEN}x`]) {
        const headers = { Authorization: `Bearer ${token}` };
        await keep(
          await appFor().request("/v1/check", { method: "POST", headers, body: "{" }, rotating),
        );
      }
      // Refunds: a ticket signed with a key derived from the token, redeemed, and redeemed
      // where an object fails.
      const checked = await api("/v1/check", { body: { policies: ["user_throttle"], user: "s" } });
      const { refundTicket } = (await checked.json()) as { refundTicket: string };
      tickets.push(refundTicket);
      await keep(await api("/v1/refund", { body: { ticket: refundTicket } }));
      await keep(await api("/v1/refund", { body: { ticket: `${refundTicket}x` } }));
      const failingRefunds = appFor(testRegistry(), namespace);
      const again = { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } };
      await keep(
        await failingRefunds.request(
          "/v1/refund",
          { ...again, body: JSON.stringify({ ticket: refundTicket }) },
          env,
        ),
      );
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
    const secrets = [TOKEN, NEXT_TOKEN, ADMIN, METRICS_TOKEN, WEBHOOK_SECRET, ORIGIN_SECRET];
    for (const secret of [...secrets, env.TELEGRAM_SECRET_DEMO]) {
      expect(logs).not.toContain(secret);
      expect(bodies).not.toContain(secret);
      // Nor in what the worker hands out: a ticket carries a signature, not the key.
      expect(tickets.join("\n")).not.toContain(secret);
      for (const ticket of tickets) {
        expect(base64UrlToText(ticket.split(".")[0] ?? "")).not.toContain(secret);
      }
    }
    // A ticket is as good as the refund it grants: it is not logged either.
    for (const ticket of tickets) expect(logs).not.toContain(ticket);
  });

  it("keep the bot's token, which travels in gateway URLs, out of logs and error bodies", async () => {
    const unreachable = gatewayWorld({
      fetchUpstream: async (request) => {
        throw new TypeError(`could not connect to ${request.url}`);
      },
    });
    const broken = {
      getByName: () => ({ schedule: async () => Promise.reject(new Error("down")) }),
    };
    const wrongToken = `${BOT_TOKEN.split(":")[0]}:stolen-guess`;
    const { logs, bodies } = await logsOf(async () => {
      const texts: string[] = [];
      const keep = async (res: Response) => texts.push(await res.text());
      const call = botCall("sendMessage", { chat_id: 1, text: "x" });
      await keep(
        await unreachable.call(botCall("sendMessage", { chat_id: 1, text: "x" }, wrongToken)),
      );
      await keep(await unreachable.call(call.clone()));
      await keep(await unreachable.call(botCall("getMe", {})));
      // The bot's object failing: the call goes on unscheduled, and the failure is logged.
      await keep(
        await unreachable.app.fetch(call.clone(), { ...unreachable.bindings, GATEWAY: broken }),
      );
      // The token's secret missing from the deployment.
      await keep(
        await unreachable.app.fetch(call.clone(), { ...unreachable.bindings, GW_TOKEN: "" }),
      );
      return texts;
    });
    expect(logs).toContain("gateway_upstream_failed");
    expect(logs).toContain("gateway_unavailable");
    expect(logs).toContain("gateway_misconfigured");
    for (const secret of [BOT_TOKEN, wrongToken, "stolen-guess", "gateway-TEST_token"]) {
      expect(logs).not.toContain(secret);
      expect(bodies).not.toContain(secret);
    }
  });
});
