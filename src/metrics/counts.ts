// What is counted per policy, per minute, per door (and Telegram bot and rule). One list, so
// the isolate's tally, the object's tables, the JSON and the Prometheus names never drift.
import type { GatewayMetrics, MetricsCounts } from "../client/types.ts";

export const COUNTERS = [
  "checks",
  "admitted",
  "denied",
  "shadowDenied",
  "blocked",
  "deniedFromCache",
  "unavailableOpen",
  "unavailableClosed",
  "leasesTaken",
  "leasesRefused",
] as const;

export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

// The client spells the counters out for its readers; a counter added here and not there,
// or the other way round, fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type CountsAsTheClientReads = Holds<Same<Counts, MetricsCounts>>;

/** What the Bot API gateway counts per bot (`Metrics.gateway`). */
export const GATEWAY_COUNTERS = [
  "sent",
  "waited",
  "waitedMs",
  "answered429",
  "telegram429",
] as const;

export type GatewayCounter = (typeof GATEWAY_COUNTERS)[number];
export type GatewayCounts = Record<GatewayCounter, number>;
export type GatewayAsTheClientReads = Holds<Same<GatewayCounts, GatewayMetrics>>;

export const zeroCounts = (): Counts =>
  Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Counts;

export const zeroGatewayCounts = (): GatewayCounts =>
  Object.fromEntries(GATEWAY_COUNTERS.map((name) => [name, 0])) as GatewayCounts;

/** The counters of a row, without what says where they were counted. */
export const countsOf = (row: Counts): Counts =>
  Object.fromEntries(COUNTERS.map((name) => [name, row[name]])) as Counts;

/** Adds `more` into `into`, counter by counter. */
export function addInto<K extends string>(
  into: Record<NoInfer<K>, number>,
  more: Partial<Record<K, number>>,
): void {
  for (const name in more) into[name] += more[name] ?? 0;
}

/** A door, or for Telegram a bot and rule: "" where it does not apply. */
export interface Where {
  door: string;
  bot: string;
  rule: string;
}

/** One row of counts: a policy, where it was asked, in one minute. */
export interface CountRow extends Where, Counts {
  /** Minutes since the epoch. */
  minute: number;
  policy: string;
}

export interface GatewayRow extends GatewayCounts {
  minute: number;
  bot: string;
}

/** A policy's most limited subjects in one minute, from one sketch. */
export interface SubjectRow {
  minute: number;
  policy: string;
  /** The limited checks the sketch saw. */
  total: number;
  entries: { item: string; count: number; error: number }[];
}

/** What an isolate sends in one flush; `id` lets the object apply it once. */
export interface MetricsBatch {
  id: string;
  counts: CountRow[];
  subjects: SubjectRow[];
  gateway: GatewayRow[];
}

export const MINUTE_MS = 60_000;
export const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS);
