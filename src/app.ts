import { Hono } from "hono";
import { dashboardRoutes } from "./dashboard/routes.tsx";
import { v1Routes } from "./http/api.ts";
import { jsonError, onError } from "./http/errors.ts";
import { prometheusRoutes } from "./http/metrics.ts";
import type { Services } from "./services.ts";
import { gatewayRoutes } from "./telegram/gateway/routes.ts";
import { telegramRoutes } from "./telegram/route.ts";

/**
 * The worker's HTTP face: health, the `/v1` API and the Telegram webhooks, two doors onto
 * one limiter, with JSON errors everywhere.
 */
export function createApp(services: Services) {
  const app = new Hono<{ Bindings: Env }>();
  app.onError(onError);
  app.notFound((c) => jsonError(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.get("/healthz", (c) => c.json({ ok: true, policies: services.registry.list().length }));
  app.route("/v1", v1Routes(services));
  app.route("/telegram", telegramRoutes(services));
  app.route("/telegram", gatewayRoutes(services));
  app.route("/metrics", prometheusRoutes(services));
  app.route("/dashboard", dashboardRoutes(services));
  return app;
}
