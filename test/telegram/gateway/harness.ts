import { env } from "cloudflare:workers";
import { Api } from "grammy";
import { FakeBotApi, type FakeLimits } from "../../../scripts/fake-bot-api/fake.ts";
import { createApp } from "../../../src/app.ts";
import { Registry } from "../../../src/config/registry.ts";
import { createServices } from "../../../src/services.ts";

export const BOT_TOKEN = "123456:gateway-TEST_token";
export const WORKER = "http://limiter.test";

/** Small limits, in Telegram's shape, so that a handful of messages reach them. */
export const SMALL: FakeLimits = {
  perChat: { rate: 5, per: 1, burst: 1 },
  perGroup: { rate: 3, per: 1 },
  perBot: { rate: 10, per: 1 },
};

/** Telegram's limits but one message a minute per chat: a chat's second send must wait. */
export const ONCE_A_MINUTE: FakeLimits = {
  perChat: { rate: 1, per: 60, burst: 1 },
  perGroup: { rate: 20, per: 60 },
  perBot: { rate: 30, per: 1 },
};

let apps = 0;

/**
 * A worker whose bot `gw` has a gateway in front of a fake Bot API counting like Telegram,
 * with `limits` on both sides. Each gets an app name of its own, so its bot's object is new.
 */
export function gatewayWorld(
  options: {
    limits?: FakeLimits;
    maxWaitSeconds?: number;
    bot?: Record<string, unknown>;
    /** In place of the fake, e.g. an upstream that fails. */
    fetchUpstream?: (request: Request) => Promise<Response>;
  } = {},
) {
  const limits = options.limits ?? SMALL;
  const fake = new FakeBotApi({ token: BOT_TOKEN, limits });
  const upstreamCalls: Request[] = [];
  const registry = Registry.fromJson({
    app: `gw${++apps}`,
    policies: { p: { kind: "throttle", rate: 1, per: 60, scope: "user" } },
    telegram: {
      bots: {
        gw: {
          gateway: {
            tokenSecret: "GW_TOKEN",
            upstream: "https://fake.bot.api",
            maxWaitSeconds: options.maxWaitSeconds ?? 3,
            limits,
          },
          ...options.bot,
        },
      },
    },
  });
  /** Another isolate of the same worker: its own memory, the same objects. */
  const isolate = () =>
    createApp({
      ...createServices(registry, env),
      fetchUpstream: (request) => {
        upstreamCalls.push(request);
        return (options.fetchUpstream ?? fake.fetch)(request);
      },
    });
  const app = isolate();
  const bindings = { ...env, GW_TOKEN: BOT_TOKEN };
  const call = (request: Request, on = app) => on.fetch(request, bindings) as Promise<Response>;
  /** grammY's own client, pointed at the worker: `client.apiRoot`, nothing else changed. */
  const grammy = (on = app, token = BOT_TOKEN) =>
    new Api(token, {
      apiRoot: `${WORKER}/telegram/gw`,
      fetch: ((url: string, init: RequestInit) => call(new Request(url, init), on)) as never,
    });
  return { fake, upstreamCalls, registry, app, isolate, call, grammy, bindings };
}

/** A Bot API call as a client sends it, with JSON parameters. */
export function botCall(method: string, params: Record<string, unknown>, token = BOT_TOKEN) {
  return new Request(`${WORKER}/telegram/gw/bot${token}/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(params),
  });
}
