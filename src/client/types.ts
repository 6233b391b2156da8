// The limiter's public contract: what a consumer Worker sends and gets back, over a service
// binding or as the JSON of the HTTP API. Self-contained, so a Worker in another repository
// types its binding from this package alone; the limiter implements these types.

/** Whose requests a policy counts together (README, "Scopes and keys"). */
export type Scope = "user" | "chat" | "group" | "global" | "ip" | "key";

/** A policy's limit, as `GET /v1/policies` reports it. */
export type PolicyLimit =
  | { kind: "throttle"; capacity: number; refillTokens: number; refillSeconds: number }
  | { kind: "debounce"; windowSeconds: number }
  | { kind: "window"; limit: number; windowSeconds: number }
  | { kind: "concurrency"; limit: number; ttlSeconds: number };

/** Who a call is about; a policy uses the ids its scope needs. Telegram's ids are numbers. */
export interface SubjectIds {
  user?: string | number;
  chat?: string | number;
  /** An IPv4 or IPv6 address; an ip-scoped policy counts IPv6 by network (README). */
  ip?: string;
  key?: string | number;
}

/** The argument of `check()`: the body of `POST /v1/check`. */
export interface CheckInput extends SubjectIds {
  policies: string[];
  cost?: number;
  fingerprint?: string;
}

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
  /**
   * When the check consumed something: an opaque ticket that gives exactly that back, once,
   * within an hour (`refund()`, `POST /v1/refund`). Absent when nothing was consumed.
   */
  refundTicket?: string | undefined;
}

/** What `refund()` did; over HTTP, 200, 409 and 404. */
export interface RefundResult {
  refunded: boolean;
  /** Why not: refunded before, or never issued, altered or expired. */
  reason?: "already refunded" | "unknown ticket" | undefined;
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

/** A renewed lease: when it now expires if never released or renewed again. */
export interface RenewResult {
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** A policy as `GET /v1/policies` and the RPC `policies()` list it. */
export interface ListedPolicy {
  name: string;
  limit: PolicyLimit;
  scope: Scope;
  ipv6Prefix: number;
  method?: string | undefined;
  bucket?: string | undefined;
  enabled: boolean;
  mode: "enforce" | "shadow";
  description?: string | undefined;
  /** `q` and `w` of its RateLimit-Policy header. */
  quota: number;
  windowSeconds: number;
}

export interface PolicyList {
  app: string;
  policies: ListedPolicy[];
}

/**
 * The consumer's binding, typed: in its wrangler.toml,
 * `[[services]] binding = "LIMITER", service = "edge-limiter", entrypoint = "RateLimiter"`.
 * A denial is data; a caller's mistake rejects with an Error that says what is wrong.
 */
export interface RateLimiterBinding {
  /** Decides a check, as `POST /v1/check` does; `allowed: false` when denied. */
  check(input: CheckInput): Promise<CheckResult>;
  /**
   * Gives back what the check that issued `ticket` (its `refundTicket`) consumed, at most
   * once; `refunded: false` with the reason otherwise.
   */
  refund(ticket: string): Promise<RefundResult>;
  /** Takes a lease of a concurrency policy; `acquired: false` when every slot is taken. */
  acquire(policy: string, subject?: SubjectIds): Promise<AcquireResult>;
  /** Returns a lease; false when it is unknown, already released or expired. */
  release(leaseId: string): Promise<boolean>;
  /**
   * Extends a live lease to `ttlSeconds` from now (default and most: the policy's `ttl`);
   * false when it is unknown, released or expired, so the job no longer holds its slot.
   */
  renew(leaseId: string, ttlSeconds?: number): Promise<RenewResult | false>;
  /** Forgets one subject's state for one policy. */
  reset(policy: string, subject?: SubjectIds): Promise<{ key: string }>;
  /** The policies, as `GET /v1/policies` lists them. */
  policies(): Promise<PolicyList>;
}

/** What `limit()` puts in the context: `c.get("rateLimit")` after an admitted check. */
export type RateLimitVariables = { rateLimit: CheckResult };
