import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/prometheus.ts";
import type { Metrics } from "../metrics/service.ts";
import type { Services } from "../services.ts";
import { bearerAuth } from "./auth.ts";

/** The metrics, or a 404 that says they are turned off. */
export function metricsOn(metrics: Metrics | undefined): Metrics {
  if (metrics === undefined) {
    throw new HTTPException(404, { message: "metrics are turned off (METRICS_ENABLED=false)" });
  }
  return metrics;
}

/**
 * `GET /metrics`: cumulative counters in Prometheus's text format, per policy, door, and
 * Telegram bot and rule, never a subject id. For a scraper's `authorization` setting:
 * `METRICS_TOKEN`, or `ADMIN_TOKEN`.
 */
export function prometheusRoutes({ metrics }: Services) {
  const app = new Hono<{ Bindings: Env }>();
  app.use("*", bearerAuth("METRICS_TOKEN", "ADMIN_TOKEN"));
  app.get("/", async (c) =>
    c.body(await metricsOn(metrics).prometheus(), 200, {
      "Content-Type": PROMETHEUS_CONTENT_TYPE,
      "Cache-Control": "no-store",
    }),
  );
  return app;
}
