import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LimiterUnavailableError } from "../limiter/calls.ts";
import { InputError } from "../limiter/request.ts";
import { RuleConflictError } from "../rules/admin.ts";

export function jsonError(c: Context, status: ContentfulStatusCode, message: string) {
  return c.json({ error: message }, status);
}

/**
 * Every failure becomes a JSON `{ error }`: the caller's mistakes as 4xx with what is
 * wrong, our own as a bare 500 whose details stay in the log, never in the body.
 */
export function onError(error: Error, c: Context) {
  if (error instanceof InputError) return jsonError(c, 400, error.message);
  if (error instanceof RuleConflictError) return jsonError(c, 409, error.message);
  if (error instanceof LimiterUnavailableError) {
    c.header("Retry-After", "1");
    return jsonError(c, 503, "limiter unavailable; retry later");
  }
  if (error instanceof HTTPException)
    return jsonError(c, error.status as ContentfulStatusCode, error.message);
  console.error(JSON.stringify({ event: "unhandled", name: error.name, message: error.message }));
  return jsonError(c, 500, "internal error");
}
