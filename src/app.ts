import { Hono } from "hono";
import type { Registry } from "./config/registry.ts";
import { type ApiEnv, v1Routes } from "./http/api.ts";
import { jsonError, onError } from "./http/errors.ts";
import { Limiter } from "./limiter/client.ts";
import { telegramRoutes } from "./telegram/route.ts";

/**
 * The worker's HTTP face: health, the `/v1` API and the Telegram webhooks, two doors onto
 * one limiter, with JSON errors everywhere.
 */
export function createApp(registry: Registry) {
  const app = new Hono<ApiEnv>();
  app.onError(onError);
  app.notFound((c) => jsonError(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.use("*", async (c, next) => {
    c.set("limiter", new Limiter(c.env.LIMITER, registry));
    await next();
  });
  app.get("/healthz", (c) => c.json({ ok: true, policies: registry.list().length }));
  app.route("/v1", v1Routes());
  app.route("/telegram", telegramRoutes(registry));
  return app;
}
