import { Hono } from "hono";
import { limitBody } from "../platform/body-limit.ts";
import type { Services } from "../services.ts";
import { bearerAuth } from "./auth.ts";
import { MAX_API_BODY_BYTES, readJson } from "./body.ts";
import { jsonError } from "./errors.ts";
import { metricsOn } from "./metrics.ts";

/**
 * `/v1/admin`: the runtime rules, under `ADMIN_TOKEN` (an `API_TOKEN` cannot change them).
 * Every change is recorded in the audit log with its time, this door and its reason.
 */
export function adminRoutes({ rules, metrics }: Services) {
  const admin = new Hono<{ Bindings: Env }>();
  admin.use("*", bearerAuth("ADMIN_TOKEN"), limitBody(MAX_API_BODY_BYTES));

  admin.post("/blocks", async (c) => c.json(await rules.block(await readJson(c), "http"), 201));
  admin.get("/blocks", async (c) => c.json({ blocks: await rules.blocks() }));
  admin.delete("/blocks/:id", async (c) => {
    if (await rules.unblock(c.req.param("id"), "http")) return c.json({ removed: true });
    return jsonError(c, 404, "no such block: unknown, removed or expired");
  });

  admin.put("/overrides/:policy", async (c) =>
    c.json(await rules.setOverride(c.req.param("policy"), await readJson(c), "http")),
  );
  admin.get("/overrides", async (c) => c.json({ overrides: await rules.overrides() }));
  admin.delete("/overrides/:id", async (c) => {
    if (await rules.removeOverride(c.req.param("id"), "http")) return c.json({ removed: true });
    return jsonError(c, 404, "no such override: unknown, removed or expired");
  });

  admin.get("/metrics", async (c) =>
    c.json(await metricsOn(metrics).report(c.req.query("minutes"))),
  );

  admin.get("/audit", async (c) => {
    const limit = c.req.query("limit");
    const entries = await rules.audit(limit === undefined ? undefined : Number(limit));
    return c.json({ entries });
  });

  return admin;
}
