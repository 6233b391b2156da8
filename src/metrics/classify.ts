import type { PolicyResult } from "../client/types.ts";
import type { LeaseOutcome, Observed } from "../limiter/sink.ts";
import type { Counter } from "./counts.ts";

/** What one decision did to one policy: the counters it adds to, and whether it limited. */
export interface PolicyOutcome {
  policy: string;
  counters: Counter[];
  /** Denied, would have denied (shadow), or blocked: the subject goes to the sketch. */
  limited: boolean;
  /** One word for the Analytics Engine point. */
  label: string;
}

function decided(p: PolicyResult, admitted: boolean, fromCache: boolean): PolicyOutcome {
  const counters: Counter[] = admitted ? ["checks", "admitted"] : ["checks"];
  const outcome = (label: string, ...more: Counter[]): PolicyOutcome => ({
    policy: p.name,
    counters: [...counters, ...more],
    limited: more.length > 0,
    label,
  });
  if (p.reason === "blocked") return outcome("blocked", "blocked");
  if (!p.allowed && p.shadow) return outcome("shadow-denied", "shadowDenied");
  if (!p.allowed) {
    return fromCache ? outcome("denied", "denied", "deniedFromCache") : outcome("denied", "denied");
  }
  // Admitted by this policy; the check may still have been denied by another of its policies.
  return outcome(admitted ? "admitted" : "denied-by-another");
}

/**
 * A check's outcome per policy. A policy the check skipped (its scope's ids were missing)
 * did not count, and is not counted here either. A check the limiter could not decide is
 * counted as the door's failure mode answered it: admitted when failing open.
 */
export function checkOutcomes(observed: Observed, failOpen: boolean): PolicyOutcome[] {
  if (observed.kind === "unavailable") {
    const counters: Counter[] = failOpen
      ? ["checks", "admitted", "unavailableOpen"]
      : ["checks", "unavailableClosed"];
    const label = failOpen ? "unavailable-open" : "unavailable-closed";
    return [...new Set(observed.policies)].map((policy) => ({
      policy,
      counters,
      limited: false,
      label,
    }));
  }
  const { result, fromCache } = observed;
  return result.policies
    .filter((p) => !p.skipped)
    .map((p) => decided(p, result.allowed, fromCache));
}

const LEASE_COUNTERS: Record<LeaseOutcome, Counter[]> = {
  taken: ["leasesTaken"],
  refused: ["leasesRefused"],
  blocked: ["leasesRefused", "blocked"],
  unavailable: ["leasesRefused", "unavailableClosed"],
};

export function leaseOutcome(policy: string, outcome: LeaseOutcome): PolicyOutcome {
  return {
    policy,
    counters: LEASE_COUNTERS[outcome],
    limited: outcome === "refused" || outcome === "blocked",
    label: `lease-${outcome}`,
  };
}
