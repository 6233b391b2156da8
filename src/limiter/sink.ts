import type { CheckResult } from "../client/types.ts";
import type { Identity } from "../core/scopes.ts";

// The one hook through which decisions leave the limiter to be counted (src/metrics). It is
// called synchronously after each decision, so what it does must be cheap and must never
// call an object: it only tallies in memory.

/** Which door asked, and for Telegram which bot and rule. */
export interface DecisionContext {
  door: "http" | "rpc" | "telegram";
  bot?: string;
  rule?: string;
}

export type Observed =
  | { kind: "decided"; result: CheckResult; fromCache: boolean }
  /** The limiter could not decide; the door's failure mode answers. */
  | { kind: "unavailable"; policies: readonly string[] };

export type LeaseOutcome = "taken" | "refused" | "blocked" | "unavailable";

export interface DecisionSink {
  checked(context: DecisionContext, identity: Identity, observed: Observed): void;
  leased(context: DecisionContext, policy: string, identity: Identity, outcome: LeaseOutcome): void;
}
