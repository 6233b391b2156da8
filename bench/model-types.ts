// What the production model (bench/model.bench-test.ts) assumes and measures, passed back to
// Node. Free of workerd's modules, so that Node can read it.

/** What one Durable Object is taken to be in production. Every figure is an assumption. */
export interface ObjectModel {
  /** Isolate to object and back. */
  roundTripMs: number;
  /** Object time of a call that writes nothing: 1 ms is ~1,000 calls a second. */
  callMs: number;
  /**
   * Object time of a call that writes: ~400 write transactions a second were measured
   * (FACTS.md), so about 2.5 ms each.
   */
  writeCallMs: number;
  /** The output gate holds a writing call's answer until the write is durable (~10–13 ms). */
  flushMs: number;
  /** Calls waiting in an object's queue past which the runtime answers "overloaded". */
  queueLimit: number;
  /** The limiter's own budget for a call (1 s by default): a later answer is a timeout. */
  budgetMs: number;
}

export const PRODUCTION: ObjectModel = {
  roundTripMs: 30,
  callMs: 1,
  writeCallMs: 3,
  flushMs: 10,
  queueLimit: 100,
  budgetMs: 1000,
};

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
