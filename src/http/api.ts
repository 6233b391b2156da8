import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { rateLimitHeaders } from "../client/headers.ts";
import { parseIp } from "../core/ip.ts";
import { policyList } from "../limiter/policy-list.ts";
import { limitBody } from "../platform/body-limit.ts";
import type { Services } from "../services.ts";
import { adminRoutes } from "./admin.ts";
import { bearerAuth } from "./auth.ts";
import { MAX_API_BODY_BYTES, readJson } from "./body.ts";
import { jsonError } from "./errors.ts";

/**
 * Takes the caller's IP from Cloudflare's header when the body names none. A header that is
 * missing or not an address leaves `ip` unset: ip-scoped policies are then skipped, and
 * nothing else fails.
 */
function withIp(body: unknown, header: string | undefined): unknown {
  const ip = header === undefined ? undefined : parseIp(header);
  if (ip === undefined || typeof body !== "object" || body === null || Array.isArray(body)) {
    return body;
  }
  return "ip" in body ? body : { ...body, ip };
}

/** `/v1/admin` and below: the paths whose token is ADMIN_TOKEN alone. */
const isAdminPath = (path: string): boolean =>
  path.startsWith("/v1/admin") && (path.length === 9 || path[9] === "/");

/** The authenticated `/v1` API. */
export function v1Routes(services: Services) {
  const { registry, limiter } = services;
  const api = new Hono<{ Bindings: Env }>();
  api.route("/admin", adminRoutes(services));
  // The admin routes have a token of their own; an API_TOKEN never reaches them. A prefix
  // test, where hono's `except` matched a router and composed a chain on every request.
  const apiAuth = bearerAuth("API_TOKEN");
  const exceptAdmin = createMiddleware<{ Bindings: Env }>((c, next) =>
    isAdminPath(c.req.path) ? next() : apiAuth(c, next),
  );
  api.use("*", exceptAdmin, limitBody(MAX_API_BODY_BYTES));

  api.post("/check", async (c) => {
    const body = withIp(await readJson(c), c.req.header("CF-Connecting-IP"));
    const result = await limiter.check(body, { door: "http" });
    const status = result.allowed ? 200 : result.unavailable ? 503 : 429;
    return c.json(result, status, rateLimitHeaders(result));
  });

  // Always 200: what a check would decide, with its headers, nothing consumed.
  api.post("/peek", async (c) => {
    const body = withIp(await readJson(c), c.req.header("CF-Connecting-IP"));
    const result = await limiter.peek(body);
    return c.json(result, 200, rateLimitHeaders(result));
  });

  api.post("/refund", async (c) => {
    const result = await limiter.refund(await readJson(c));
    if (result.refunded) return c.json({ refunded: true });
    if (result.reason === "already refunded") {
      return jsonError(c, 409, "this ticket has already been refunded");
    }
    return jsonError(c, 404, "no such ticket: unknown, altered or expired");
  });

  api.post("/leases", async (c) => {
    const body = withIp(await readJson(c), c.req.header("CF-Connecting-IP"));
    const result = await limiter.acquire(body as never, { door: "http" });
    if (result.acquired) return c.json(result, 201);
    // A block with no expiry gives no time to come back.
    if (result.blocked && result.retryAfterMs === 0) return c.json(result, 429);
    const retryAfter = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
    return c.json(result, 429, { "Retry-After": retryAfter });
  });

  api.delete("/leases/:id", async (c) => {
    const released = await limiter.release(c.req.param("id"));
    if (!released) return jsonError(c, 404, "no such lease: unknown, released or expired");
    return c.json({ released: true });
  });

  api.patch("/leases/:id", async (c) => {
    const renewed = await limiter.renew(c.req.param("id"), await readJson(c, {}));
    if (!renewed) return jsonError(c, 404, "no such lease: unknown, released or expired");
    return c.json({ renewed: true, expiresAt: renewed.expiresAt });
  });

  api.post("/reset", async (c) => {
    const body = withIp(await readJson(c), c.req.header("CF-Connecting-IP"));
    const { key } = await limiter.reset(body as never);
    return c.json({ reset: true, key });
  });

  api.get("/stats", (c) => c.json({ isolate: limiter.stats() }));

  api.get("/policies", (c) => c.json(policyList(registry)));

  return api;
}
