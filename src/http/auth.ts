import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { secretsEqual } from "../platform/secrets.ts";

/** `Authorization: Bearer <API_TOKEN>`, or 401. */
export const bearerAuth = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const expected = c.env.API_TOKEN;
  if (!expected) {
    throw new HTTPException(503, { message: "the server has no API_TOKEN configured" });
  }
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    c.header("WWW-Authenticate", 'Bearer realm="limiter"');
    throw new HTTPException(401, { message: "missing bearer token" });
  }
  if (!(await secretsEqual(match[1], expected))) {
    c.header("WWW-Authenticate", 'Bearer realm="limiter", error="invalid_token"');
    throw new HTTPException(401, { message: "invalid bearer token" });
  }
  await next();
});
