import { DurableObject } from "cloudflare:workers";
import type { CountRow, GatewayRow, MetricsBatch, SubjectRow } from "./counts.ts";
import { MINUTE_MS, minuteOf } from "./counts.ts";
import { MetricsStore } from "./store.ts";

/** Counts per minute are kept a day: the longest window `?minutes=` may ask for. */
export const RETAIN_MINUTES = 24 * 60;
/** Sketches of limited subjects are kept an hour: the top subjects cover at most that. */
export const SUBJECT_MINUTES = 60;
/** How many subjects a policy's top list holds. */
export const TOP_SUBJECTS = 20;
const PRUNE_EVERY_MS = 10 * MINUTE_MS;

export interface TopSubjects {
  policy: string;
  /** Limited checks of the policy in the window: what the sketch's bound is a share of. */
  limited: number;
  subjects: { id: string; count: number; error: number }[];
}

export interface MetricsWindow {
  counts: CountRow[];
  gateway: GatewayRow[];
  top: TopSubjects[];
}

/** A policy's minute sketches summed: no counter is dropped, so nothing is lost here. */
function topOf(rows: SubjectRow[]): TopSubjects[] {
  const byPolicy = new Map<
    string,
    { limited: number; items: Map<string, { count: number; error: number }> }
  >();
  for (const row of rows) {
    let policy = byPolicy.get(row.policy);
    if (policy === undefined) {
      policy = { limited: 0, items: new Map() };
      byPolicy.set(row.policy, policy);
    }
    policy.limited += row.total;
    for (const { item, count, error } of row.entries) {
      const sum = policy.items.get(item) ?? { count: 0, error: 0 };
      policy.items.set(item, { count: sum.count + count, error: sum.error + error });
    }
  }
  return [...byPolicy].map(([policy, { limited, items }]) => ({
    policy,
    limited,
    subjects: [...items]
      .map(([id, { count, error }]) => ({ id, count, error }))
      .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
      .slice(0, TOP_SUBJECTS),
  }));
}

/**
 * The deployment's metrics, in one object of its own: what every isolate flushed, applied
 * once per batch and kept in SQLite, so a restart or a deploy keeps them. It answers the
 * admin JSON, the dashboard and Prometheus, whichever isolate serves them.
 */
export class MetricsObject extends DurableObject<Env> {
  private readonly store: MetricsStore;
  private lastPruneMs = Number.NEGATIVE_INFINITY;
  // A seam for tests, reached with runInDurableObject; not callable over RPC.
  private clock: () => number = Date.now;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new MetricsStore(ctx.storage.sql);
  }

  /** Applies each batch not applied before; the writes of one call are one transaction. */
  apply(batches: MetricsBatch[]): number {
    const nowMs = this.clock();
    const applied = batches.filter((batch) => this.store.apply(batch, nowMs)).length;
    if (nowMs - this.lastPruneMs >= PRUNE_EVERY_MS) {
      this.lastPruneMs = nowMs;
      const minute = minuteOf(nowMs);
      this.store.prune(minute - RETAIN_MINUTES, minute - SUBJECT_MINUTES, nowMs - 60 * MINUTE_MS);
    }
    return applied;
  }

  /** Counts from `fromMinute` to `toMinute`; top subjects over the last hour of it at most. */
  window(fromMinute: number, toMinute: number): MetricsWindow {
    const subjectsFrom = Math.max(fromMinute, toMinute - SUBJECT_MINUTES + 1);
    return {
      counts: this.store.counts(fromMinute, toMinute),
      gateway: this.store.gateway(fromMinute, toMinute),
      top: topOf(this.store.subjects(subjectsFrom, toMinute)),
    };
  }

  /** Every counter since the first flush: Prometheus's counters. */
  totals() {
    return this.store.totals();
  }
}
