import type { Scope } from "../core/scopes.ts";

/** How one policy decided. The same shape on every door: HTTP, RPC and Telegram. */
export interface PolicyResult {
  name: string;
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfterMs: number;
  /** Time until the policy's quota is fully restored. */
  resetMs: number;
  /** Window of the quota, for the `w` of RateLimit-Policy. */
  windowSeconds: number;
  scope: Scope;
  /** Canonical key the policy counted under; absent when skipped or disabled. */
  key?: string | undefined;
  /** The request lacked the identifiers of the policy's scope, so it did not count. */
  skipped?: true | undefined;
  /** Why it was skipped, e.g. "needs user". */
  reason?: string | undefined;
  /** Shadow mode: `allowed` is what enforcing would have said; the check was not denied. */
  shadow?: true | undefined;
  /** `enabled: false` in policies.json: always allowed. */
  disabled?: true | undefined;
}

export interface CheckResult {
  allowed: boolean;
  /** 0 when allowed; otherwise when the same check could first be admitted. */
  retryAfterMs: number;
  /**
   * The limiter could not decide (an object overloaded, failing or too slow) and the
   * configured failure mode answered: `allowed` is true when failing open.
   */
  unavailable?: true | undefined;
  policies: PolicyResult[];
}

export interface AcquireResult {
  acquired: boolean;
  leaseId?: string | undefined;
  /** Epoch milliseconds at which the lease expires if never released. */
  expiresAt?: number | undefined;
  retryAfterMs: number;
  limit: number;
  remaining: number;
}
