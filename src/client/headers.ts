import type { CheckResult, PolicyResult } from "./types.ts";

const seconds = (ms: number): number => Math.ceil(ms / 1000);

/** The policy a client should heed: the denial lasting longest, else the nearest exhaustion. */
function binding(counted: PolicyResult[]): PolicyResult | undefined {
  const denied = counted.filter((p) => !p.allowed && !p.shadow);
  if (denied.length > 0) return denied.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
  return counted
    .filter((p) => !p.shadow)
    .reduce<PolicyResult | undefined>(
      (a, b) =>
        a === undefined ||
        b.remaining < a.remaining ||
        (b.remaining === a.remaining && b.resetMs > a.resetMs)
          ? b
          : a,
      undefined,
    );
}

/**
 * Rate-limit headers for a check: `RateLimit-Policy` and `RateLimit` as Structured-Field
 * lists (draft-ietf-httpapi-ratelimit-headers-11), the common `X-RateLimit-*` trio for the
 * policy that binds, and `Retry-After` on a denial. Policy names are restricted to
 * characters that need no escaping inside an sf-string.
 */
export function rateLimitHeaders(result: CheckResult): Record<string, string> {
  // Nothing was counted: quotas would be guesses, so only the retry hint is given.
  if (result.unavailable) return result.allowed ? {} : { "Retry-After": "1" };
  const counted = result.policies.filter((p) => !p.skipped && !p.disabled && !p.unlimited);
  const headers: Record<string, string> = {};
  if (counted.length > 0) {
    headers["RateLimit-Policy"] = counted
      .map((p) => `"${p.name}";q=${p.limit};w=${p.windowSeconds}`)
      .join(", ");
    headers.RateLimit = counted
      .map((p) => `"${p.name}";r=${p.remaining};t=${seconds(p.resetMs)}`)
      .join(", ");
  }
  const top = binding(counted);
  if (top) {
    headers["X-RateLimit-Limit"] = String(top.limit);
    headers["X-RateLimit-Remaining"] = String(top.remaining);
    headers["X-RateLimit-Reset"] = String(seconds(top.resetMs));
  }
  // A block with no expiry gives no time to come back.
  const indefinite = result.blocked && result.retryAfterMs === 0;
  if (!result.allowed && !indefinite) {
    headers["Retry-After"] = String(Math.max(1, seconds(result.retryAfterMs)));
  }
  return headers;
}
