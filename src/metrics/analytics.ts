import type { PolicyOutcome } from "./classify.ts";
import type { Where } from "./counts.ts";

/** The part of a Workers Analytics Engine binding used here. */
export interface AnalyticsDataset {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

/** The binding named `METRICS_DATASET`, when the deployment has one. */
export function analyticsDataset(env: object): AnalyticsDataset | undefined {
  const binding = (env as { METRICS_DATASET?: unknown }).METRICS_DATASET;
  const usable =
    typeof binding === "object" &&
    binding !== null &&
    typeof (binding as AnalyticsDataset).writeDataPoint === "function";
  return usable ? (binding as AnalyticsDataset) : undefined;
}

/**
 * One point per policy decision: index1 the policy, blob1 the door, blob2 the bot, blob3 the
 * rule, blob4 the outcome (`admitted`, `denied`, `shadow-denied`, `blocked`,
 * `denied-by-another`, `unavailable-open`, `unavailable-closed`, `lease-taken`,
 * `lease-refused`, `lease-blocked`, `lease-unavailable`), double1 1 when a denial came from
 * the isolate's memory. Never a subject id. The runtime writes points without waiting, so
 * this adds no wait to a check; a failure to write is never the check's failure.
 */
export function writePoints(dataset: AnalyticsDataset, where: Where, outcomes: PolicyOutcome[]) {
  for (const outcome of outcomes) {
    try {
      dataset.writeDataPoint({
        indexes: [outcome.policy],
        blobs: [where.door, where.bot, where.rule, outcome.label],
        doubles: [outcome.counters.includes("deniedFromCache") ? 1 : 0],
      });
    } catch {
      // At most 25 points per invocation; past that a point is dropped, never a decision.
    }
  }
}
