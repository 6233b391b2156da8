import type { Registry } from "../config/registry.ts";
import { callObject } from "../limiter/calls.ts";
import { InputError } from "../limiter/request.ts";
import type { DecisionSink } from "../limiter/sink.ts";
import { ABANDONED_MARGIN_MS } from "../platform/shared-wait.ts";
import { type AnalyticsDataset, analyticsDataset } from "./analytics.ts";
import { type GatewayCounts, minuteOf } from "./counts.ts";
import { type MetricsObject, RETAIN_MINUTES } from "./object.ts";
import { prometheusText } from "./prometheus.ts";
import { MetricsRecorder } from "./recorder.ts";
import { buildReport, type MetricsReport } from "./report.ts";

export const DEFAULT_REPORT_MINUTES = 60;

export interface MetricsOptions {
  background: (work: Promise<unknown>) => void;
  clock?: () => number;
  wait?: (ms: number) => Promise<void>;
  dataset?: AnalyticsDataset | undefined;
}

/** `?minutes=`: whole minutes from 1 to a day; absent, the last hour. */
export function reportMinutes(value: unknown): number {
  if (value === undefined) return DEFAULT_REPORT_MINUTES;
  const minutes = typeof value === "string" && /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(minutes >= 1 && minutes <= RETAIN_MINUTES)) {
    throw new InputError(`minutes must be a whole number from 1 to ${RETAIN_MINUTES}`);
  }
  return minutes;
}

/**
 * The deployment's decision metrics: this isolate's recorder (the limiter's sink), and the
 * readings, which always come from the metrics object, the aggregate of what every isolate
 * flushed. A reading first flushes what this isolate counted, so its own counts are in it.
 * One object per app (`metrics:<app>`).
 */
export class Metrics {
  readonly recorder: MetricsRecorder;
  private readonly registry: Registry;
  private readonly stub: () => DurableObjectStub<MetricsObject>;
  private readonly clock: () => number;

  constructor(
    registry: Registry,
    namespace: DurableObjectNamespace<MetricsObject>,
    options: MetricsOptions,
  ) {
    this.registry = registry;
    this.clock = options.clock ?? Date.now;
    this.stub = () => namespace.getByName(`metrics:${registry.app}`);
    const budgetMs = registry.availability.budgetMs;
    this.recorder = new MetricsRecorder({
      registry,
      send: (batches) =>
        callObject(() => this.stub().apply(batches) as Promise<number>, {
          budgetMs,
          retry: false,
        }),
      abandonedAfterMs: budgetMs + ABANDONED_MARGIN_MS,
      background: options.background,
      clock: options.clock,
      wait: options.wait,
      dataset: options.dataset,
    });
  }

  get sink(): DecisionSink {
    return this.recorder;
  }

  /** For the Bot API gateway: see `MetricsRecorder.gateway`. */
  gateway(bot: string, counts: Partial<GatewayCounts>): void {
    this.recorder.gateway(bot, counts);
  }

  /** Counts per policy and minute over the last `minutes`, and the top limited subjects. */
  async report(minutes: unknown): Promise<MetricsReport> {
    const span = reportMinutes(minutes);
    await this.recorder.flush();
    const toMinute = minuteOf(this.clock());
    const fromMinute = toMinute - span + 1;
    const window = await this.call((stub) => stub.window(fromMinute, toMinute));
    return buildReport(this.registry, window as never, fromMinute, toMinute);
  }

  /** Cumulative counters in Prometheus's text format. */
  async prometheus(): Promise<string> {
    await this.recorder.flush();
    return prometheusText((await this.call((stub) => stub.totals())) as never);
  }

  private call<T>(fn: (stub: DurableObjectStub<MetricsObject>) => Promise<T>): Promise<T> {
    const budgetMs = this.registry.availability.budgetMs;
    return callObject(() => fn(this.stub()), { budgetMs, retry: true });
  }
}

/** What turns metrics on: the object's binding, unless `METRICS_ENABLED` says `false`. */
export interface MetricsBindings {
  METRICS?: DurableObjectNamespace<MetricsObject>;
  METRICS_ENABLED?: string;
  METRICS_DATASET?: unknown;
}

/** The metrics, or undefined when they are turned off. */
export function metricsFor(
  registry: Registry,
  bindings: MetricsBindings,
  options: MetricsOptions,
): Metrics | undefined {
  if (bindings.METRICS === undefined) return undefined;
  if (/^(false|off|0|no)$/i.test(bindings.METRICS_ENABLED ?? "")) return undefined;
  const dataset = analyticsDataset(bindings);
  return new Metrics(registry, bindings.METRICS, { ...options, dataset });
}
