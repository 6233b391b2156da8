// What the production model (bench/model.bench-test.ts) measures, passed back to Node.
import type { ObjectModel } from "./model-objects.ts";

export interface Percentiles {
  p50: number;
  p99: number;
}

/** The most admitted in any interval of `intervalMs`, against what the policy allows in it. */
export interface IntervalBound {
  intervalMs: number;
  most: number;
  bound: number;
}

export interface ModelRun {
  label: string;
  lease: boolean;
  /** The `global` throttle's rate, and its bucket (the same: `burst` is left at `rate`). */
  ratePerSecond: number;
  capacity: number;
  /** Simulated time during which checks were offered. */
  durationMs: number;
  offeredPerSecond: number;
  checks: number;
  /** Answered by the limiter, whatever the answer. */
  answered: number;
  admitted: number;
  /** Denied by the policy. */
  denied: number;
  /** Answered "unavailable" (fail closed): the object overloaded or too slow. */
  unavailable: number;
  /** Thrown instead of answered. */
  errors: number;
  latencyMs: Percentiles;
  admittedLatencyMs: Percentiles;
  objectCalls: number;
  overloaded: number;
  timedOut: number;
  maxQueued: number;
  rowsWritten: number;
  /** Of rowsWritten, alarms set. */
  alarmRows: number;
  /** Served calls that wrote at least one row. */
  writingCalls: number;
  /** Time the hot object was busy or flushing a write. */
  objectActiveMs: number;
  /** capacity + rate × duration: what the policy allows over the run. */
  allowance: number;
  /** Most by which admissions from the start exceeded capacity + rate × elapsed (0: never). */
  overAdmitted: number;
  intervals: IntervalBound[];
}

export interface ModelResult {
  model: ObjectModel;
  isolates: number;
  offeredPerSecond: number;
  runs: ModelRun[];
}

declare module "vitest" {
  interface TaskMeta {
    model?: ModelResult;
  }
}
