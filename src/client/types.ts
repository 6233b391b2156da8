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

/**
 * For the policies with `perRequestBucket` (README, "Scopes and keys"): the bucket the call
 * counts in within its subject, e.g. an OAuth provider. An identifier like the ids.
 */
export interface BucketedSubject extends SubjectIds {
  bucket?: string | number;
}

/** The argument of `check()`: the body of `POST /v1/check`. */
export interface CheckInput extends BucketedSubject {
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
  /**
   * Why it was skipped ("needs user", "needs bucket"), or why it denied other than by its
   * limit: an operator's block ("blocked"), a new bucket past the policy's `maxBuckets`.
   */
  reason?: string | undefined;
  /** Shadow mode: `allowed` is what enforcing would have said; the check was not denied. */
  shadow?: true | undefined;
  /** `enabled: false` in policies.json: always allowed. */
  disabled?: true | undefined;
  /** The id of the runtime override whose limit was in force. */
  override?: string | undefined;
  /** An override made the policy unlimited: allowed, and not counted. */
  unlimited?: true | undefined;
}

export interface CheckResult {
  allowed: boolean;
  /**
   * 0 when allowed; otherwise when the same check could first be admitted (0 too for a block
   * with no expiry: no time is known).
   */
  retryAfterMs: number;
  /** An operator's block denied it; its policies that were blocked say `reason: "blocked"`. */
  blocked?: true | undefined;
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
  /** Refused by an operator's block (retryAfterMs 0 when the block has no expiry). */
  blocked?: true | undefined;
  leaseId?: string | undefined;
  /** Epoch milliseconds at which the lease expires if never released. */
  expiresAt?: number | undefined;
  retryAfterMs: number;
  limit: number;
  remaining: number;
  /** Why it was refused other than by its limit (a new bucket past `maxBuckets`). */
  reason?: string | undefined;
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
  /** A check names the bucket it counts in (`bucket`); each bucket counts apart. */
  perRequestBucket?: boolean | undefined;
  /** With `perRequestBucket`: the most buckets live at once per subject. */
  maxBuckets?: number | undefined;
  /** Isolates take its tokens in small batches and admit from them (README, "Hot keys"). */
  lease?: boolean | undefined;
  enabled: boolean;
  mode: "enforce" | "shadow";
  description?: string | undefined;
  /** `q` and `w` of its RateLimit-Policy header. */
  quota: number;
  windowSeconds: number;
}

export interface PolicyList {
  app: string;
  /** The policies.json environment in force (the deployment's POLICY_ENV); null for the base. */
  environment: string | null;
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
  /** What `check(input)` would decide now, consuming and writing nothing. */
  peek(input: CheckInput): Promise<CheckResult>;
  /**
   * Gives back what the check that issued `ticket` (its `refundTicket`) consumed, at most
   * once; `refunded: false` with the reason otherwise.
   */
  refund(ticket: string): Promise<RefundResult>;
  /** Takes a lease of a concurrency policy; `acquired: false` when every slot is taken. */
  acquire(policy: string, subject?: BucketedSubject): Promise<AcquireResult>;
  /** Returns a lease; false when it is unknown, already released or expired. */
  release(leaseId: string): Promise<boolean>;
  /**
   * Extends a live lease to `ttlSeconds` from now (default and most: the policy's `ttl`);
   * false when it is unknown, released or expired, so the job no longer holds its slot.
   */
  renew(leaseId: string, ttlSeconds?: number): Promise<RenewResult | false>;
  /** Forgets one subject's state for one policy (in one bucket, for a per-bucket policy). */
  reset(policy: string, subject?: BucketedSubject): Promise<{ key: string }>;
  /** The policies, as `GET /v1/policies` lists them. */
  policies(): Promise<PolicyList>;
}

/** Where a rule was changed: recorded with every change. */
export type Door = "http" | "rpc" | "dashboard";

/** The identity a rule is about: one of these for a block; an override's follow its policy's scope. */
export interface RuleIdentity {
  user?: string;
  chat?: string;
  /** An address, or a CIDR prefix (`203.0.113.0/24`, `2001:db8::/48`). */
  ip?: string;
  key?: string;
}

/** Every check carrying this identity is denied (only for `policies`, when given). */
export interface BlockRule extends RuleIdentity {
  id: string;
  policies?: string[];
  /** Epoch milliseconds; none: until removed. */
  expiresAt?: number;
  reason?: string;
  createdAt: number;
  door: Door;
}

/** A policy's limit replaced, for one identity or (none given) the whole policy. */
export interface OverrideRule extends RuleIdentity {
  id: string;
  policy: string;
  /** The fields policies.json uses for the policy's kind, or "unlimited". */
  limit: "unlimited" | Record<string, number>;
  expiresAt?: number;
  reason?: string;
  createdAt: number;
  door: Door;
}

export interface AuditEntry {
  /** Epoch milliseconds. */
  at: number;
  door: Door;
  action: "block" | "unblock" | "override" | "remove-override";
  rule: BlockRule | OverrideRule;
  reason?: string;
}

/** `POST /v1/admin/blocks`, RPC `block()`: one identity, optionally policies and a duration. */
export interface BlockInput {
  user?: string | number;
  chat?: string | number;
  ip?: string;
  key?: string | number;
  policies?: string[];
  seconds?: number;
  reason?: string;
}

/** `PUT /v1/admin/overrides/:policy`, RPC `setOverride()`: the identity its scope needs, or none. */
export interface OverrideInput {
  user?: string | number;
  chat?: string | number;
  ip?: string;
  key?: string | number;
  limit: "unlimited" | Record<string, number>;
  seconds?: number;
  reason?: string;
}

/**
 * The admin entrypoint, bound explicitly:
 * `[[services]] binding = "LIMITER_ADMIN", service = "edge-limiter", entrypoint = "RateLimiterAdmin"`.
 */
export interface RateLimiterAdminBinding {
  block(input: BlockInput): Promise<BlockRule>;
  /** false when no such block is in force. */
  unblock(id: string): Promise<boolean>;
  blocks(): Promise<BlockRule[]>;
  setOverride(policy: string, input: OverrideInput): Promise<OverrideRule>;
  removeOverride(id: string): Promise<boolean>;
  overrides(): Promise<OverrideRule[]>;
  /** The most recent changes first. */
  audit(limit?: number): Promise<AuditEntry[]>;
  /**
   * What `GET /v1/admin/metrics` answers: counts per policy over the last `minutes` (1 to
   * 1,440; an hour when absent). A TypeError when metrics are turned off.
   */
  metrics(minutes?: number): Promise<MetricsReport>;
}

/** Counted per policy and minute, and for Telegram per bot and rule. */
export interface MetricsCounts {
  checks: number;
  admitted: number;
  denied: number;
  /** Would have been denied: the policy is in shadow mode. */
  shadowDenied: number;
  blocked: number;
  /** Denied from the isolate's memory, without an object call. */
  deniedFromCache: number;
  /** The limiter could not decide and the door failed open... */
  unavailableOpen: number;
  /** ...or closed. */
  unavailableClosed: number;
  leasesTaken: number;
  leasesRefused: number;
}

/** What the Bot API gateway did for one bot. */
export interface GatewayMetrics {
  sent: number;
  waited: number;
  waitedMs: number;
  /** Answered 429 by the gateway itself (the call would have waited too long). */
  answered429: number;
  /** Telegram's own 429s. */
  telegram429: number;
}

export interface PolicyMetrics {
  name: string;
  /** Absent for a policy no longer configured that still has counts in the window. */
  mode?: "enforce" | "shadow";
  kind?: string;
  scope?: string;
  counts: MetricsCounts;
  /** Denied by this policy, of its checks (0 without checks). */
  denialRate: number;
  /** Would have been denied (shadow mode), of its checks. */
  shadowDenialRate: number;
  doors: Record<string, MetricsCounts>;
  /** Minutes with any count, oldest first. */
  perMinute: ({ minute: string } & MetricsCounts)[];
  topSubjects: {
    /** Checks of this policy that limited someone in the last hour of the window at most. */
    limited: number;
    /** Each count is within this of the true number (two sketches, each within limited/100). */
    maxError: number;
    subjects: { id: string; subject?: Record<string, string>; count: number }[];
  };
}

export interface MetricsReport {
  /** ISO 8601 minutes, both included. */
  from: string;
  to: string;
  minutes: number;
  /** Counts reach the report within this of the decision. */
  flushSeconds: number;
  policies: PolicyMetrics[];
  telegram: Record<
    string,
    { rules: Record<string, Record<string, MetricsCounts>>; gateway: GatewayMetrics }
  >;
}

/** What `limit()` puts in the context: `c.get("rateLimit")` after an admitted check. */
export type RateLimitVariables = { rateLimit: CheckResult };
