import { env } from "cloudflare:workers";
import { createApp } from "../../src/app.ts";
import { Registry } from "../../src/config/registry.ts";
import type { MetricsObject } from "../../src/metrics/object.ts";
import type { MetricsReport } from "../../src/metrics/report.ts";
import { rpcMethods } from "../../src/rpc/methods.ts";
import { createServices } from "../../src/services.ts";
import { ADMIN } from "../rules/harness.ts";

export { ADMIN };
export const METRICS_TOKEN = "test-metrics-token";

let unique = 0;

/**
 * Policies of these tests' own, under an app name no other test uses: the metrics object is
 * one per app, so each test reads its own counts.
 */
export function metricsRegistry(limiter: object = {}, botFailMode = "open", ruleName = "buttons") {
  return Registry.fromJson({
    app: `m${Date.now().toString(36)}${unique++}`,
    limiter,
    policies: {
      enforced: { kind: "throttle", rate: 7, per: 3600, scope: "user" },
      shadowed: { kind: "throttle", rate: 2, per: 3600, scope: "user", mode: "shadow" },
      per_ip: { kind: "throttle", rate: 1, per: 3600, scope: "ip" },
      per_group: { kind: "throttle", rate: 1, per: 3600, scope: "group" },
      per_key: { kind: "window", limit: 1, window: 3600, scope: "key" },
      jobs: { kind: "concurrency", limit: 1, ttl: 600, scope: "user" },
    },
    telegram: {
      bots: {
        metricsbot: {
          origin: "ORIGIN",
          secretTokenSecret: "TG_WEBHOOK_SECRET",
          failMode: botFailMode,
          rules: [
            { name: ruleName, match: { updateTypes: ["callback_query"] }, policies: ["enforced"] },
          ],
          default: { policies: ["enforced", "shadowed"] },
        },
      },
    },
  });
}

/** A gate a scheduled flush waits at until the test opens it. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

export interface IsolateOptions {
  limiter?: object;
  metrics?: object;
  dataset?: unknown;
  /** Scheduled flushes wait until `release()` instead of running at once. */
  held?: boolean;
  startMs?: number;
}

/**
 * One isolate with metrics on: its own services over the shared objects, a clock the test
 * moves, background work the test awaits, and the waits its flushes asked for.
 */
export function metricsIsolate(registry: Registry, options: IsolateOptions = {}) {
  let nowMs = options.startMs ?? Date.now();
  const background: Promise<unknown>[] = [];
  const waits: number[] = [];
  let held = options.held ? gate() : undefined;
  const services = createServices(
    registry,
    {
      LIMITER: (options.limiter ?? env.LIMITER) as typeof env.LIMITER,
      RULES: env.RULES,
      METRICS: (options.metrics ?? env.METRICS) as typeof env.METRICS,
      METRICS_DATASET: options.dataset,
    },
    {
      clock: () => nowMs,
      background: (work) => background.push(work),
      // As if the time waited passed: the flush then runs at the time it was meant for.
      wait: async (ms) => {
        waits.push(ms);
        nowMs += ms;
        await held?.opened;
      },
    },
  );
  const app = createApp(services);
  const request = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== undefined) headers.set("Authorization", `Bearer ${init.token}`);
    return app.request(path, { ...init, headers }, env);
  };
  return {
    services,
    app,
    request,
    rpc: rpcMethods(services),
    waits,
    advance: (ms: number) => {
      nowMs += ms;
    },
    now: () => nowMs,
    check: (body: object) =>
      request("/v1/check", { method: "POST", body: JSON.stringify(body), token: "test-token" }),
    /** Lets held flushes run, and holds the ones scheduled after. */
    release: () => {
      const current = held;
      held = options.held ? gate() : undefined;
      current?.open();
    },
    /** Waits for the background work this isolate started, and what that started. */
    settled: async () => {
      while (background.length > 0) await Promise.all(background.splice(0));
    },
    report: async (minutes = 60): Promise<MetricsReport> => {
      const res = await request(`/v1/admin/metrics?minutes=${minutes}`, { token: ADMIN });
      if (res.status !== 200)
        throw new Error(`metrics answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
  };
}

export type Isolate = ReturnType<typeof metricsIsolate>;

/** The metrics object of `registry`'s app, to read what reached it. */
export const metricsStub = (registry: Registry): DurableObjectStub<MetricsObject> =>
  env.METRICS.getByName(`metrics:${registry.app}`);

/** A policy's report. */
export function policyIn(report: MetricsReport, name: string) {
  const policy = report.policies.find((p) => p.name === name);
  if (policy === undefined) throw new Error(`no policy ${name} in the report`);
  return policy;
}

/** A namespace in front of the metrics objects that counts calls and can fail them. */
export function countingMetrics(fault: "none" | "throw-before" | "throw-after" = "none") {
  const calls: string[] = [];
  let faults = fault === "none" ? 0 : 1;
  const namespace = {
    getByName(name: string) {
      const real = env.METRICS.getByName(name) as unknown as Record<
        string,
        (...a: unknown[]) => Promise<unknown>
      >;
      return new Proxy(
        {},
        {
          get:
            (_, method: string) =>
            async (...args: unknown[]) => {
              calls.push(method);
              if (method === "apply" && faults > 0 && fault === "throw-before") {
                faults--;
                throw new Error("metrics object unreachable");
              }
              const answer = await real[method]?.(...args);
              if (method === "apply" && faults > 0 && fault === "throw-after") {
                faults--;
                throw new Error("metrics object did not answer in time");
              }
              return answer;
            },
        },
      );
    },
  };
  return { namespace, calls };
}
