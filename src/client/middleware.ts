import type { Context, Env as HonoEnv, MiddlewareHandler } from "hono";
import { rateLimitHeaders } from "./headers.ts";
import type { RateLimiterBinding, RateLimitVariables, SubjectIds } from "./types.ts";

type Awaitable<T> = T | Promise<T>;

/** The app's env with the variable the middleware sets. */
export type Limited<E extends HonoEnv> = E & { Variables: RateLimitVariables };

export interface LimitOptions<E extends HonoEnv> {
  /** The service binding, read per request since bindings live on the request's env. */
  binding: (c: Context<E>) => RateLimiterBinding;
  /** Policy names from the limiter's policies.json, decided together: all or nothing. */
  policies: string[];
  /** Who the request counts against; each policy uses the ids its scope needs. */
  subject: (c: Context<E>) => Awaitable<SubjectIds>;
  /** What the request costs; 1 when absent. */
  cost?: number | ((c: Context<E>) => Awaitable<number>);
  /** Content for debounce policies: the same fingerprint twice within the window is denied. */
  fingerprint?: (c: Context<E>) => Awaitable<string | undefined>;
  /**
   * The bucket for the policies with `perRequestBucket`, e.g. `(c) => c.req.param("provider")`:
   * each bucket counts apart within the subject. Undefined skips those policies.
   */
  bucket?: (c: Context<E>) => Awaitable<string | undefined>;
}

/**
 * Hono middleware that checks the request with the limiter over its service binding. Every
 * response carries the limiter's rate-limit headers (`RateLimit-Policy`, `RateLimit`,
 * `X-RateLimit-*`). A denied request is answered 429 with `Retry-After` and the JSON body
 * `{ error, retryAfterMs, policies }`, `policies` naming those that denied; an admitted one
 * goes on with the result in `c.get("rateLimit")`. When the limiter cannot decide and fails
 * closed, the request is answered 503 with `Retry-After: 1`. Bad options (an unknown policy, say)
 * throw the limiter's Error, so they surface as the app's 500 rather than pass silently.
 *
 * @example
 * type AppEnv = { Bindings: { LIMITER: RateLimiterBinding }; Variables: RateLimitVariables };
 * const app = new Hono<AppEnv>();
 * app.get(
 *   "/hello",
 *   limit<AppEnv>({
 *     binding: (c) => c.env.LIMITER,
 *     policies: ["user_throttle"],
 *     subject: (c) => ({ user: c.req.header("X-User") ?? "anonymous" }),
 *   }),
 *   (c) => c.json({ remaining: c.get("rateLimit").policies[0]?.remaining }),
 * );
 */
export function limit<E extends HonoEnv = HonoEnv>(
  options: LimitOptions<Limited<E>>,
): MiddlewareHandler<Limited<E>> {
  return async (c, next) => {
    const cost = typeof options.cost === "function" ? await options.cost(c) : options.cost;
    const result = await options.binding(c).check({
      ...(await options.subject(c)),
      policies: options.policies,
      cost,
      fingerprint: await options.fingerprint?.(c),
      bucket: await options.bucket?.(c),
    });
    const headers = rateLimitHeaders(result);
    if (!result.allowed && result.unavailable) {
      return c.json({ error: "limiter unavailable; retry later" }, 503, headers);
    }
    if (!result.allowed) {
      const policies = result.policies.filter((p) => !p.allowed && !p.shadow).map((p) => p.name);
      return c.json(
        { error: "rate limited", retryAfterMs: result.retryAfterMs, policies },
        429,
        headers,
      );
    }
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    c.set("rateLimit", result);
    await next();
  };
}
