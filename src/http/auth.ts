import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { matchesAny, rotatingSecret } from "../platform/secrets.ts";

/**
 * The secrets that guard the API: `API_TOKEN` for checks, `ADMIN_TOKEN` for the rules,
 * `METRICS_TOKEN` for a Prometheus scraper.
 */
export type TokenName = "API_TOKEN" | "ADMIN_TOKEN" | "METRICS_TOKEN";

/**
 * `Authorization: Bearer <token>`, where the token is one of the named secrets or, during a
 * rotation, its `<name>_NEXT`; or 401.
 */
export function bearerAuth(...names: [TokenName, ...TokenName[]]) {
  // An isolate's env and its secrets do not change (a new secret starts new isolates), so the
  // accepted values are looked up once per env rather than on every request.
  const acceptedBy = new WeakMap<object, string[]>();
  const acceptedIn = (env: object): string[] => {
    let accepted = acceptedBy.get(env);
    if (accepted === undefined) {
      accepted = names.flatMap((name) => rotatingSecret(env, name));
      acceptedBy.set(env, accepted);
    }
    return accepted;
  };
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const accepted = acceptedIn(c.env);
    if (accepted.length === 0) {
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
    if (!matchesAny(match[1], accepted)) {
      c.header("WWW-Authenticate", 'Bearer realm="limiter", error="invalid_token"');
      throw new HTTPException(401, { message: "invalid bearer token" });
    }
    await next();
  });
}
