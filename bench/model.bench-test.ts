// The production model: a `global` throttle offered ten times what one object can serve,
// through isolates of one deployment over a namespace with a modelled round trip, per-object
// capacity and overload (bench/model-objects.ts), on a simulated clock (bench/model-sim.ts).
// Leases off, then on. Not part of `npm test`.
//   npx vitest run -c bench/vitest.model.config.ts
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { Registry } from "../src/config/registry.ts";
import { createServices } from "../src/services.ts";
import { ModelledObjects } from "./model-objects.ts";
import { Simulation, seeded } from "./model-sim.ts";
import { type IntervalBound, type ModelRun, type Percentiles, PRODUCTION } from "./model-types.ts";

const quick = (env as unknown as { BENCH_SCALE?: string }).BENCH_SCALE === "quick";
const DURATION_MS = quick ? 2_000 : 6_000;
const ISOLATES = 16;
const CAPACITY_PER_SECOND = 1000 / PRODUCTION.callMs;
const OFFERED_PER_SECOND = 10 * CAPACITY_PER_SECOND;
// Half of what is offered: a limiter that keeps up admits the allowance, and denies the rest.
const BINDING_PER_SECOND = OFFERED_PER_SECOND / 2;
// Twice what is offered: every check is within the limit, so only the object can refuse one.
const AMPLE_PER_SECOND = OFFERED_PER_SECOND * 2;
const INTERVALS_MS = [10, 100, 1000];
// Where simulated time starts: a day ahead of the machine's clock, so that no alarm an object
// sets in simulated time fires in real time during the run.
const EPOCH_MS = Date.now() + 86_400_000;

const policies = (app: string, lease: boolean, ratePerSecond: number) => ({
  app,
  // The model enforces the production budget in simulated time; the machine's own clock must
  // never time a call out while simulated time stands still for real work.
  limiter: { budgetMs: 30_000, failMode: "closed" },
  policies: {
    hot: { kind: "throttle", rate: ratePerSecond, per: 1, scope: "global", lease },
  },
});

/** The rules object as it is, its calls counted as real work the clock waits for. */
function trackedRules(sim: Simulation): DurableObjectNamespace {
  const getByName = (name: string) => {
    const stub = env.RULES.getByName(name) as unknown as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    return new Proxy(stub, {
      get: (target, method) =>
        typeof method === "string" && method !== "then"
          ? (...args: unknown[]) => sim.track(Promise.resolve(target[method]?.(...args)))
          : undefined,
    });
  };
  return { getByName } as unknown as DurableObjectNamespace;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

/** The most admitted in any `intervalMs` (instants a and a + intervalMs both counted). */
function mostIn(perMs: number[], intervalMs: number): number {
  let most = 0;
  let sum = 0;
  for (let end = 0; end < perMs.length; end++) {
    sum += perMs[end] ?? 0;
    if (end - intervalMs - 1 >= 0) sum -= perMs[end - intervalMs - 1] ?? 0;
    most = Math.max(most, sum);
  }
  return most;
}

async function run(label: string, lease: boolean, ratePerSecond: number): Promise<ModelRun> {
  const sim = new Simulation();
  const clock = () => EPOCH_MS + sim.nowMs;
  const objects = new ModelledObjects(sim, env.LIMITER, PRODUCTION, clock);
  const bindings = { LIMITER: objects.namespace(), RULES: trackedRules(sim) as never };
  const app = `model${ratePerSecond}${lease ? "on" : "off"}${Date.now().toString(36)}`;
  const json = policies(app, lease, ratePerSecond);
  const isolates = Array.from({ length: ISOLATES }, () =>
    createServices(Registry.fromJson(json), bindings, {
      clock,
      background: (work) => void work.catch(() => undefined),
    }),
  );
  // The same arrivals for every run.
  const random = seeded(1);
  const latencies: number[] = [];
  const admittedLatencies: number[] = [];
  const admittedPerMs: number[] = [];
  const tally = { checks: 0, answered: 0, admitted: 0, denied: 0, unavailable: 0, errors: 0 };

  const perMs = OFFERED_PER_SECOND / 1000;
  for (let atMs = 0; atMs < DURATION_MS; atMs++) {
    sim.at(atMs, () => {
      for (let i = 0; i < perMs; i++) {
        const isolate = isolates[Math.floor(random() * ISOLATES)];
        if (isolate === undefined) continue;
        const askedMs = sim.nowMs;
        tally.checks++;
        isolate.limiter.check({ policies: ["hot"] }).then(
          (result) => {
            const latencyMs = sim.nowMs - askedMs;
            tally.answered++;
            latencies.push(latencyMs);
            if (result.unavailable) tally.unavailable++;
            else if (result.allowed) {
              tally.admitted++;
              admittedLatencies.push(latencyMs);
              admittedPerMs[sim.nowMs] = (admittedPerMs[sim.nowMs] ?? 0) + 1;
            } else tally.denied++;
          },
          () => {
            tally.errors++;
          },
        );
      }
    });
  }
  await sim.drain();

  const capacity = ratePerSecond;
  const allowed = (ms: number) => capacity + (ratePerSecond * ms) / 1000;
  let overAdmitted = 0;
  let total = 0;
  for (let ms = 0; ms < admittedPerMs.length; ms++) {
    total += admittedPerMs[ms] ?? 0;
    overAdmitted = Math.max(overAdmitted, total - allowed(ms));
  }
  const intervals = INTERVALS_MS.map(
    (intervalMs): IntervalBound => ({
      intervalMs,
      most: mostIn(admittedPerMs, intervalMs),
      bound: allowed(intervalMs),
    }),
  );
  const { counts } = objects;
  return {
    label,
    lease,
    ratePerSecond,
    capacity,
    durationMs: DURATION_MS,
    offeredPerSecond: OFFERED_PER_SECOND,
    ...tally,
    latencyMs: percentiles(latencies),
    admittedLatencyMs: percentiles(admittedLatencies),
    objectCalls: counts.calls,
    overloaded: counts.overloaded,
    timedOut: counts.timedOut,
    maxQueued: counts.maxQueued,
    rowsWritten: counts.rows.kvPuts + counts.rows.kvDeletes + counts.rows.alarmsSet,
    alarmRows: counts.rows.alarmsSet,
    writingCalls: counts.writingCalls,
    objectActiveMs: counts.activeMs,
    allowance: allowed(DURATION_MS),
    overAdmitted: Math.max(0, overAdmitted),
    intervals,
  };
}

it("models a hot key in production, leases off and on", async ({ task }) => {
  // Each check answered "unavailable" logs a line; thousands of them are counted instead.
  const log = console.error;
  console.error = () => {};
  let runs: ModelRun[];
  try {
    const binding = `limit ${BINDING_PER_SECOND.toLocaleString("en-US")}/s`;
    const ample = `limit ${AMPLE_PER_SECOND.toLocaleString("en-US")}/s`;
    runs = [
      await run(`leases off, ${binding}`, false, BINDING_PER_SECOND),
      await run(`leases on, ${binding}`, true, BINDING_PER_SECOND),
      await run(`leases on, ${ample}`, true, AMPLE_PER_SECOND),
    ];
  } finally {
    console.error = log;
  }
  task.meta.model = {
    model: PRODUCTION,
    isolates: ISOLATES,
    offeredPerSecond: OFFERED_PER_SECOND,
    runs,
  };
});
