import type { Context, Env as HonoEnv, MiddlewareHandler } from "hono";
import { limiterClient } from "./client.ts";
import type { FailMode } from "./fail.ts";
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
  /**
   * When the limiter throws or does not answer within `timeoutMs` (a deploy under way, an
   * outage): `"closed"` (the default) answers 503 with `Retry-After: 1`, `"open"` lets the
   * request through unchecked (with `unavailable: true` in `c.get("rateLimit")`), or a
   * function answers it. A caller's mistake (an unknown policy) is never such a failure.
   */
  onError?: FailMode | ((error: Error, c: Context<E>) => Awaitable<Response>);
  /** How long the limiter may take; default `DEFAULT_TIMEOUT_MS` (2000). */
  timeoutMs?: number;
  /**
   * Asked after the handler: true gives back what the request consumed, as if it had never
   * been counted. `(c) => c.res.status < 400` counts only failures, e.g. failed logins.
   */
  skip?: (c: Context<E>) => Awaitable<boolean>;
}

/** Keeps `promise` running after the response, where the runtime offers that. */
function keepAlive(c: Context, promise: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    // No execution context (app.request in a test): the promise runs on as long as it can.
  }
}

/**
 * Hono middleware that checks the request with the limiter over its service binding. Every
 * response carries the limiter's rate-limit headers (`RateLimit-Policy`, `RateLimit`,
 * `X-RateLimit-*`). A denied request is answered 429 with `Retry-After` and the JSON body
 * `{ error, retryAfterMs, policies }`, `policies` naming those that denied; an admitted one
 * goes on with the result in `c.get("rateLimit")`. When the limiter cannot decide and fails
 * closed, the request is answered 503 with `Retry-After: 1`; when it cannot be reached in
 * `timeoutMs`, `onError` decides. Bad options (an unknown policy, say) throw the limiter's
 * TypeError, so they surface as the app's 500 rather than pass silently. With `skip`, what a
 * request consumed is given back when `skip` says so after the handler.
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
    let failure: Error | undefined;
    const { onError = "closed" } = options;
    const limiter = limiterClient(options.binding(c), {
      timeoutMs: options.timeoutMs,
      waitUntil: (promise) => keepAlive(c, promise),
      onError: (error) => {
        failure = error;
        return onError === "open" ? "open" : "closed";
      },
    });
    const cost = typeof options.cost === "function" ? await options.cost(c) : options.cost;
    const result = await limiter.check({
      ...(await options.subject(c)),
      policies: options.policies,
      cost,
      fingerprint: await options.fingerprint?.(c),
      bucket: await options.bucket?.(c),
    });
    if (failure !== undefined && typeof onError === "function") return onError(failure, c);
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
    const ticket = result.refundTicket;
    // Before the response goes out, so the client's next request already sees it; a refund
    // that fails leaves the request counted, which can only deny early.
    if (ticket !== undefined && (await options.skip?.(c))) {
      await limiter.refund(ticket).catch(() => undefined);
    }
  };
}
