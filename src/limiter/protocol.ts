import type { ConcurrencyLimit } from "../core/concurrency.ts";
import type { CheckLimit, Receipt } from "../core/limits.ts";
import type { ThrottleLimit } from "../core/throttle.ts";

/**
 * What the worker and the subjects' objects say to each other. During a gradual deployment a
 * worker of one version may call an object of another, so every call names the version of
 * this protocol it speaks, and an object refuses any other (the call then fails as
 * unavailable, never as a misread limit). Bump it with any change to the shapes below.
 */
export const PROTOCOL_VERSION = 5;

/**
 * For a policy that counts per request bucket: the key its buckets on this subject share
 * (its state key without the bucket), and how many of them may be live at once.
 */
export interface PerBucket {
  familyKey: string;
  maxBuckets: number;
}

/** One policy of a check, as it travels to the subject's Durable Object. */
export interface CheckItem {
  /** Canonical key of the policy on this subject; the object's storage key for its state. */
  stateKey: string;
  limit: CheckLimit;
  /** false for shadow mode: decided and reported, never denies. */
  enforce: boolean;
  cost: number;
  fingerprint?: string | undefined;
  perBucket?: PerBucket | undefined;
}

export interface ItemOutcome {
  allowed: boolean;
  quota: number;
  remaining: number;
  retryAfterMs: number;
  resetMs: number;
  /** Present when this item consumed something, so a refund can give it back. */
  receipt?: Receipt | undefined;
  /** Denied as a new bucket while `maxBuckets` others were live. */
  bucketsFull?: true | undefined;
}

export interface BatchOutcome {
  /** true when every enforced item admitted; then, and only then, all of them consumed. */
  admitted: boolean;
  /** The call's claim key had been decided before; nothing was decided or consumed. */
  duplicate?: boolean | undefined;
  /**
   * With a GroupCall: `led` this update decided the group, `followed` it took the group's
   * verdict (`admitted`) and decided and consumed nothing, `busy` the first update was still
   * being decided, so this one was decided on its own.
   */
  group?: "led" | "followed" | "busy" | undefined;
  items: ItemOutcome[];
}

/**
 * Updates that count as one (a Telegram album): the first to reach the group's object decides,
 * and the rest follow its verdict while it holds.
 */
export interface GroupCall {
  key: string;
  /** How long the verdict holds once it is known. */
  windowMs: number;
  /** This call decides the whole check, so its verdict is known at once. */
  final: boolean;
}

/** How long a claim is remembered: Telegram keeps re-sending an update for 24 hours. */
export const CLAIM_TTL_MS = 24 * 3600 * 1000;

export interface RefundItem {
  stateKey: string;
  limit: CheckLimit;
  receipt: Receipt;
}

/** A refund ticket's once-only mark in each object it names, kept until the ticket expires. */
export interface TicketMark {
  key: string;
  expiresAtMs: number;
}

/** What redeeming a ticket did in one object. */
export type Redeemed = "refunded" | "used" | "expired";

export interface LeaseItem {
  stateKey: string;
  limit: ConcurrencyLimit;
  leaseId: string;
  perBucket?: PerBucket | undefined;
}

export interface AcquireOutcome {
  acquired: boolean;
  quota: number;
  remaining: number;
  retryAfterMs: number;
  expiresAtMs?: number | undefined;
  bucketsFull?: true | undefined;
}

/** An isolate asking for a batch of a leased throttle's tokens (see core/grant.ts). */
export interface GrantItem {
  stateKey: string;
  limit: ThrottleLimit;
  /** What the isolate would like: about twice what it spent in the last lease's life. */
  want: number;
  /** The check's own cost: granted in full, or nothing. */
  cost: number;
}

export interface GrantOutcome {
  granted: number;
  retryAfterMs: number;
  quota: number;
  remaining: number;
  resetMs: number;
}
