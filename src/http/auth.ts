import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { matchesAny, rotatingSecret } from "../platform/secrets.ts";

/**
 * `Authorization: Bearer <token>`, where the token is the secret `secretName` or, during a
 * rotation, `<secretName>_NEXT`; or 401.
 */
export function bearerAuthFor(secretName: string) {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const accepted = rotatingSecret(c.env, secretName);
    if (accepted.length === 0) {
      throw new HTTPException(503, { message: `the server has no ${secretName} configured` });
    }
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      c.header("WWW-Authenticate", 'Bearer realm="limiter"');
      throw new HTTPException(401, { message: "missing bearer token" });
    }
    if (!(await matchesAny(match[1], accepted))) {
      c.header("WWW-Authenticate", 'Bearer realm="limiter", error="invalid_token"');
      throw new HTTPException(401, { message: "invalid bearer token" });
    }
    await next();
  });
}

/** The `/v1` API's token: `API_TOKEN`, and `API_TOKEN_NEXT` while it rotates. */
export const bearerAuth = bearerAuthFor("API_TOKEN");
