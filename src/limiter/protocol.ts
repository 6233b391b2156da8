import type { ConcurrencyLimit } from "../core/concurrency.ts";
import type { CheckLimit, Receipt } from "../core/limits.ts";

/** One policy of a check, as it travels to the subject's Durable Object. */
export interface CheckItem {
  /** Canonical key of the policy on this subject; the object's storage key for its state. */
  stateKey: string;
  limit: CheckLimit;
  /** false for shadow mode: decided and reported, never denies. */
  enforce: boolean;
  cost: number;
  fingerprint?: string | undefined;
}

export interface ItemOutcome {
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfterMs: number;
  resetMs: number;
  /** Present when this item consumed something, so a refund can give it back. */
  receipt?: Receipt | undefined;
}

export interface BatchOutcome {
  /** true when every enforced item admitted; then, and only then, all of them consumed. */
  admitted: boolean;
  items: ItemOutcome[];
}

export interface RefundItem {
  stateKey: string;
  limit: CheckLimit;
  receipt: Receipt;
}

export interface LeaseItem {
  stateKey: string;
  limit: ConcurrencyLimit;
  leaseId: string;
}

export interface AcquireOutcome {
  acquired: boolean;
  limit: number;
  remaining: number;
  retryAfterMs: number;
  expiresAtMs?: number | undefined;
}
