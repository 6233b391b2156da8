import type { CheckResult } from "../limiter/result.ts";
import type { RateLimiter } from "../rpc/entrypoint.ts";

export type { ListedPolicy, PolicyList } from "../limiter/policy-list.ts";
export type { AcquireResult, CheckResult, PolicyResult } from "../limiter/result.ts";
export type { CheckInput, SubjectIds } from "../rpc/input.ts";
export type { RateLimiter };

/**
 * The consumer's binding, typed: in its wrangler.toml,
 * `[[services]] binding = "LIMITER", service = "edge-limiter", entrypoint = "RateLimiter"`.
 */
export type RateLimiterBinding = Service<RateLimiter>;

/** What `limit()` puts in the context: `c.get("rateLimit")` after an admitted check. */
export type RateLimitVariables = { rateLimit: CheckResult };
