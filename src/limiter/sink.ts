import type { AcquireResult, CheckResult } from "../client/types.ts";
import type { Identity } from "../core/scopes.ts";
import { LimiterUnavailableError } from "./calls.ts";
import type { Decided } from "./decided.ts";

// The one hook through which decisions leave the limiter to be counted (src/metrics). The
// sink is called synchronously after each decision, so what it does must be cheap and must
// never call an object: it only tallies in memory.

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

/**
 * Runs a check's decision and tells the sink how it went, when there is a sink and the door
 * said who asked. A duplicate (a claim decided before) is not counted again.
 */
export async function observeCheck(
  sink: DecisionSink | undefined,
  context: DecisionContext | undefined,
  identity: Identity,
  policies: readonly { name: string }[],
  decide: () => Promise<Decided & { fromCache?: true }>,
): Promise<Decided> {
  if (sink === undefined || context === undefined) return decide();
  let decided: Decided & { fromCache?: true };
  try {
    decided = await decide();
  } catch (error) {
    if (error instanceof LimiterUnavailableError) {
      const names = policies.map((policy) => policy.name);
      sink.checked(context, identity, { kind: "unavailable", policies: names });
    }
    throw error;
  }
  if (!decided.duplicate) {
    const { result, fromCache = false } = decided;
    sink.checked(context, identity, { kind: "decided", result, fromCache });
  }
  return decided;
}

/** Takes a lease and tells the sink how it went, as `observeCheck` does for checks. */
export async function observeLease(
  sink: DecisionSink | undefined,
  context: DecisionContext | undefined,
  policy: string,
  identity: Identity,
  acquire: () => Promise<AcquireResult>,
): Promise<AcquireResult> {
  if (sink === undefined || context === undefined) return acquire();
  let result: AcquireResult;
  try {
    result = await acquire();
  } catch (error) {
    if (error instanceof LimiterUnavailableError)
      sink.leased(context, policy, identity, "unavailable");
    throw error;
  }
  sink.leased(
    context,
    policy,
    identity,
    result.acquired ? "taken" : result.blocked ? "blocked" : "refused",
  );
  return result;
}
