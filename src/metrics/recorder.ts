import type { Registry } from "../config/registry.ts";
import type { Identity } from "../core/scopes.ts";
import type { DecisionContext, DecisionSink, LeaseOutcome, Observed } from "../limiter/sink.ts";
import { waitForShared } from "../platform/shared-wait.ts";
import { type AnalyticsDataset, writePoints } from "./analytics.ts";
import { checkOutcomes, leaseOutcome, type PolicyOutcome } from "./classify.ts";
import { GATEWAY_COUNTERS, type GatewayCounts, type MetricsBatch, minuteOf } from "./counts.ts";
import { subjectId } from "./subjects.ts";
import { Tally } from "./tally.ts";

/** An isolate sends what it counted at most this often, and no later than this after it. */
export const FLUSH_INTERVAL_MS = 5_000;
/** Batches kept for another try while the metrics object cannot be reached: a minute's. */
export const MAX_UNSENT_BATCHES = 12;
/** And rows and sketch entries in them at most, whatever the batches hold. */
export const MAX_UNSENT_ENTRIES = 10_000;

const entriesIn = (batch: MetricsBatch) =>
  batch.counts.length +
  batch.gateway.length +
  batch.subjects.reduce((sum, sketch) => sum + sketch.entries.length, 0);

export interface RecorderOptions {
  registry: Registry;
  /** Hands batches to the metrics object, which applies each id once. */
  send: (batches: MetricsBatch[]) => Promise<unknown>;
  /**
   * Past `send`'s own deadline: a flush still unsettled then was started by a request the
   * runtime cancelled (src/platform/shared-wait.ts), and the next flush stops waiting for it.
   */
  abandonedAfterMs: number;
  /** Keeps a flush alive past the request that scheduled it (the runtime's waitUntil). */
  background: (work: Promise<unknown>) => void;
  clock?: () => number;
  /** Waits before a scheduled flush; tests pass one that returns at once. */
  wait?: (ms: number) => Promise<void>;
  /** A Workers Analytics Engine dataset, when one is bound: a point per policy decision. */
  dataset?: AnalyticsDataset | undefined;
}

const log = (event: Record<string, unknown>) => console.error(JSON.stringify(event));

/**
 * Counts every decision in the isolate, off the hot path: a decision only adds to counters in
 * memory (and, when it limited someone, to a sketch); what was counted goes to the metrics
 * object in the background, at most every `FLUSH_INTERVAL_MS` and no later than that after
 * the first count since the last flush. A check never waits for it and never calls an object
 * for it. An isolate that dies loses what it counted since its last flush (a few seconds of
 * counts, never a decision); a flush that fails is kept and sent again with the next one,
 * for up to `MAX_UNSENT_BATCHES` flushes (and `MAX_UNSENT_ENTRIES`), and the object applies
 * each batch once.
 */
export class MetricsRecorder implements DecisionSink {
  private readonly options: RecorderOptions;
  private readonly clock: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  // Made on the first flush: the runtime makes no random values while a module loads.
  private isolate: string | undefined;
  private tally = new Tally();
  private unsent: MetricsBatch[] = [];
  private seq = 0;
  private lastFlushMs = Number.NEGATIVE_INFINITY;
  private scheduled = false;
  private dueMs = 0;
  private sending: Promise<unknown> = Promise.resolve();

  constructor(options: RecorderOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
    this.wait = options.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  checked(context: DecisionContext, identity: Identity, observed: Observed): void {
    this.record(context, identity, checkOutcomes(observed, this.failsOpen(context)));
  }

  leased(context: DecisionContext, policy: string, identity: Identity, outcome: LeaseOutcome) {
    this.record(context, identity, [leaseOutcome(policy, outcome)]);
  }

  /**
   * For the Bot API gateway: what it did for one bot, e.g. `{ sent: 1 }`,
   * `{ waited: 1, waitedMs: 850 }`, `{ answered429: 1 }` (it answered the bot 429 itself) or
   * `{ telegram429: 1 }` (Telegram answered 429). Counted and flushed like decisions.
   */
  gateway(bot: string, counts: Partial<GatewayCounts>): void {
    const valid: Partial<GatewayCounts> = {};
    for (const name of GATEWAY_COUNTERS) {
      const n = counts[name];
      if (typeof n === "number" && Number.isFinite(n) && n > 0) valid[name] = n;
    }
    this.tally.addGateway(minuteOf(this.clock()), bot, valid);
    this.schedule();
  }

  /** Sends what is counted now (after any flush under way); false when it could not. */
  flush(): Promise<boolean> {
    const previous = this.sending;
    const run = waitForShared(previous, this.options.abandonedAfterMs).then(() => this.send());
    this.sending = run;
    return run;
  }

  private record(context: DecisionContext, identity: Identity, outcomes: PolicyOutcome[]) {
    const minute = minuteOf(this.clock());
    const where = { door: context.door, bot: context.bot ?? "", rule: context.rule ?? "" };
    const { registry } = this.options;
    for (const outcome of outcomes) {
      this.tally.add(minute, outcome.policy, where, outcome.counters);
      if (!outcome.limited || !registry.has(outcome.policy)) continue;
      const subject = subjectId(registry.get(outcome.policy), identity);
      if (subject !== undefined) this.tally.limited(minute, outcome.policy, subject);
    }
    if (this.options.dataset !== undefined) writePoints(this.options.dataset, where, outcomes);
    this.schedule();
  }

  private failsOpen(context: DecisionContext): boolean {
    const { registry } = this.options;
    if (context.door === "telegram" && context.bot !== undefined) {
      return registry.bot(context.bot)?.failMode !== "closed";
    }
    return registry.availability.failMode === "open";
  }

  private schedule(): void {
    const nowMs = this.clock();
    // A flush the runtime dropped (its request's context cancelled) is scheduled anew.
    if (this.scheduled && nowMs < this.dueMs + 2 * FLUSH_INTERVAL_MS) return;
    this.scheduled = true;
    const waitMs = Math.max(0, this.lastFlushMs + FLUSH_INTERVAL_MS - nowMs);
    this.dueMs = nowMs + waitMs;
    this.options.background(this.wait(waitMs).then(() => this.flush()));
  }

  private async send(): Promise<boolean> {
    this.scheduled = false;
    this.lastFlushMs = this.clock();
    if (!this.tally.empty) {
      this.isolate ??= crypto.randomUUID();
      this.unsent.push(this.tally.drain(`${this.isolate}:${++this.seq}`));
    }
    if (this.unsent.length === 0) return true;
    const batches = [...this.unsent];
    try {
      await this.options.send(batches);
      this.unsent.splice(0, batches.length);
      return true;
    } catch (error) {
      const lost = this.unsent.splice(0, Math.max(0, this.unsent.length - MAX_UNSENT_BATCHES));
      let kept = this.unsent.reduce((sum, batch) => sum + entriesIn(batch), 0);
      while (kept > MAX_UNSENT_ENTRIES && this.unsent.length > 1) {
        const oldest = this.unsent.shift() as MetricsBatch;
        kept -= entriesIn(oldest);
        lost.push(oldest);
      }
      log({
        event: "metrics_flush_failed",
        reason: (error as Error).message,
        kept: this.unsent.length,
        lost: lost.length,
      });
      // Tried again with the next flush, which the next count schedules: no retries of
      // their own, so an object that stays down costs nothing while the isolate is idle.
      return false;
    }
  }
}
