import { type Context, Hono } from "hono";
import type { GatewayConfig } from "../../config/gateway.ts";
import type { Registry } from "../../config/registry.ts";
import { envValue, secretsEqual } from "../../platform/secrets.ts";
import type { Services } from "../../services.ts";
import { botApiError, notFound, unauthorized } from "./answers.ts";
import { isSending, sendFacts } from "./methods.ts";
import { readCall } from "./params.ts";
import { sendInTurn } from "./send.ts";
import { BotSends, botObjectName } from "./sends.ts";
import { callUpstream, type Fetch, type Upstream } from "./upstream.ts";

/** The bot a call is for, once its token has been checked. */
export interface Door {
  botName: string;
  gateway: GatewayConfig;
  token: string;
}

const METHOD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Telegram's file paths (`documents/file_3.pdf`): no dot segments, nothing to escape. */
const FILE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

export const log = (event: Record<string, unknown>) => console.log(JSON.stringify(event));

async function authenticate(
  registry: Registry,
  env: Env,
  botName: string,
  auth: string,
): Promise<Door | Response> {
  const gateway = registry.bot(botName)?.gateway;
  if (gateway === undefined || !auth.startsWith("bot")) return notFound();
  const token = envValue(env, gateway.tokenSecret);
  if (typeof token !== "string" || token === "") {
    log({ event: "gateway_misconfigured", bot: botName, missingSecret: gateway.tokenSecret });
    return botApiError(500, "Internal Server Error: the gateway has no token for this bot");
  }
  return secretsEqual(auth.slice(3), token) ? { botName, gateway, token } : unauthorized();
}

/** The Bot API server's answer as it is, or a 502 that says nothing of the URL. */
function answered(door: Door, what: string, upstream: Upstream): Response {
  if (upstream.ok) return upstream.response;
  log({ event: "gateway_upstream_failed", bot: door.botName, call: what, reason: upstream.reason });
  return botApiError(502, "Bad Gateway: the Bot API server could not be reached");
}

/** Hands a promise to the runtime to finish after the answer, where there is a runtime. */
function inBackground(c: Context, work: Promise<unknown>): void {
  const done = work.catch(() => {});
  try {
    c.executionCtx.waitUntil(done);
  } catch {}
}

/**
 * The Bot API gateway, `…/telegram/:bot/bot<token>/<method>`: a bot's stock client (grammY's
 * `apiRoot`, Telegraf's `apiRoot`, python-telegram-bot's `base_url`) calls here instead of
 * Telegram. Only the configured bot's own token opens it, compared in constant time, and
 * calls go only to the configured upstream: never an open proxy. Sending methods wait for
 * their turn under Telegram's limits; everything else, and file downloads
 * (`…/file/bot<token>/<path>`), pass straight through. Answers are the Bot API server's own.
 */
export function gatewayRoutes({ registry, fetchUpstream }: Services) {
  const app = new Hono<{ Bindings: Env }>();
  const fetcher: Fetch = fetchUpstream ?? ((request) => fetch(request));

  app.on(["GET", "HEAD"], "/:bot/file/:auth/:path{.+}", async (c) => {
    const door = await authenticate(registry, c.env, c.req.param("bot"), c.req.param("auth"));
    if (door instanceof Response) return door;
    const path = c.req.param("path");
    if (!FILE_PATH.test(path)) return notFound();
    const init = { method: c.req.method, contentType: null, body: null };
    const sent = await callUpstream(
      fetcher,
      door.gateway.upstream,
      `file/bot${door.token}/${path}`,
      init,
    );
    return answered(door, "file", sent);
  });

  app.on(["GET", "POST"], "/:bot/:auth/:method", async (c) => {
    const door = await authenticate(registry, c.env, c.req.param("bot"), c.req.param("auth"));
    if (door instanceof Response) return door;
    const method = c.req.param("method");
    if (!METHOD.test(method)) return notFound();
    const request = c.req.raw;
    const path = `bot${door.token}/${method}${new URL(request.url).search}`;
    const contentType = request.headers.get("Content-Type");
    const upstream = (body: BodyInit | null) =>
      callUpstream(fetcher, door.gateway.upstream, path, {
        method: request.method,
        contentType,
        body,
      });
    if (!isSending(method)) return answered(door, method, await upstream(request.body));

    const call = await readCall(request);
    if (call instanceof Response) return call;
    const facts = sendFacts(method, call.fields);
    if (call.streamed && facts.chat === undefined && call.fields.inline_message_id === undefined) {
      return botApiError(
        400,
        "Bad Request: in an upload over 1 MiB, chat_id must come before the files",
      );
    }
    const sends = new BotSends(
      c.env.GATEWAY,
      botObjectName(registry.app, door.botName),
      door.gateway.limits,
      registry.availability.budgetMs,
    );
    return sendInTurn({
      sends,
      facts,
      retryable: call.retryable,
      maxWaitMs: door.gateway.maxWaitSeconds * 1000,
      signal: request.signal,
      send: async () => answered(door, method, await upstream(call.body)),
      inBackground: (work) => inBackground(c, work),
      onUnavailable: (error) =>
        log({ event: "gateway_unavailable", bot: door.botName, error: error.message }),
    });
  });

  // Anything else under a bot's gateway path, as Telegram answers it.
  app.all("/:bot/:auth/*", () => notFound());

  return app;
}
