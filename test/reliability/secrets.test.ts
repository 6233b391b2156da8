import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, TOKEN } from "../helpers.ts";
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
      // A rotation under way: the next token, a wrong one, and a bad request with each.
      const rotating = { ...env, API_TOKEN_NEXT: NEXT_TOKEN };
      for (const token of [NEXT_TOKEN, `${NEXT_TOKEN}x`]) {
        const headers = { Authorization: `Bearer ${token}` };
        await keep(
          await appFor().request("/v1/check", { method: "POST", headers, body: "{" }, rotating),
        );
      }
      return texts;
    });
    expect(logs.length).toBeGreaterThan(0);
    const secrets = [TOKEN, NEXT_TOKEN, WEBHOOK_SECRET, ORIGIN_SECRET, env.TELEGRAM_SECRET_DEMO];
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(bodies).not.toContain(secret);
    }
  });
});
