import type { SendLimitsPlan } from "../../core/send-plan.ts";

/**
 * What the gateway's worker and a bot's object say to each other; every call names this
 * version and an object refuses any other, as the limiter's objects do (see
 * src/limiter/protocol.ts). Bump it with any change to the shapes below.
 */
export const GATEWAY_PROTOCOL_VERSION = 1;

export interface SendRequest {
  limits: SendLimitsPlan;
  /** The chat the call names (`chat_id`), normalised; none for an inline message's edit. */
  chat?: string | undefined;
  /** A group, supergroup or channel: its sliding count applies too. */
  group: boolean;
  /** `allow_paid_broadcast`: counts against the paid limit instead of the bot's. */
  paid: boolean;
  /** Messages the call sends. */
  cost: number;
  /** How long the call may still wait, from when the object decides. */
  maxWaitMs: number;
}

/** A send time handed out, and what the object needs to take it back. */
export interface SendTicket {
  chat?: string | undefined;
  group: boolean;
  paid: boolean;
  cost: number;
  /** When the send leaves. */
  atMs: number;
  /** When the limits count it: later than it leaves for a send due at once (SETTLE_MS). */
  countedAtMs: number;
  /** The chat's pace before this send, restored if it is taken back while still the last. */
  before?: { fullAtMs: number; lastAtMs: number } | undefined;
}

export type SendSlot =
  | { granted: true; waitMs: number; ticket: SendTicket }
  /** The call would wait longer than it may: it could go in `retryAfterMs`. */
  | { granted: false; retryAfterMs: number };

/** Telegram answered a send with 429 and `retry_after`. */
export interface Refusal {
  limits: SendLimitsPlan;
  retryAfterMs: number;
  /** How long a retry may still wait; absent when the call cannot be sent again. */
  retryMaxWaitMs?: number | undefined;
}
