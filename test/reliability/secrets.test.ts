import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, TOKEN } from "../helpers.ts";
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
    const { logs, bodies } = await logsOf(async () => {
      const texts: string[] = [];
      const keep = async (res: Response) => texts.push(await res.text());
      // Wrong and missing tokens.
      await keep(
        await api("/v1/check", { body: { policies: ["user_throttle"] }, token: `${TOKEN}x` }),
      );
      await keep(await api("/v1/policies", { token: null }));
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
      return texts;
    });
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [TOKEN, WEBHOOK_SECRET, ORIGIN_SECRET, env.TELEGRAM_SECRET_DEMO]) {
      expect(logs).not.toContain(secret);
      expect(bodies).not.toContain(secret);
    }
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
