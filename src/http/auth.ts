import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { envValue, secretsEqual } from "../platform/secrets.ts";

/**
 * The secrets that guard the API: `API_TOKEN` for checks, `ADMIN_TOKEN` for the rules,
 * `METRICS_TOKEN` for a Prometheus scraper.
 */
export type TokenName = "API_TOKEN" | "ADMIN_TOKEN" | "METRICS_TOKEN";

/** `Authorization: Bearer <one of the named secrets>`, or 401. */
export function bearerAuth(...names: [TokenName, ...TokenName[]]) {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const expected = names
      .map((name) => envValue(c.env, name))
      .filter((value): value is string => typeof value === "string" && value !== "");
    if (expected.length === 0) {
      throw new HTTPException(503, {
        message: `the server has no ${names.join(" or ")} configured`,
      });
    }
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      c.header("WWW-Authenticate", 'Bearer realm="limiter"');
      throw new HTTPException(401, { message: "missing bearer token" });
    }
    const given = match[1];
    // Every secret is compared, so the time taken does not say which one matched.
    const matches = await Promise.all(expected.map((secret) => secretsEqual(given, secret)));
    if (!matches.includes(true)) {
      c.header("WWW-Authenticate", 'Bearer realm="limiter", error="invalid_token"');
      throw new HTTPException(401, { message: "invalid bearer token" });
    }
    await next();
  });
}
