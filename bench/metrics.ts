// The allowed path with metrics off and on, on two `wrangler dev` sessions up at once, in
// alternating rounds: a machine whose speed drifts (a shared one) slows both alike, so each
// round's ratio is of two numbers taken seconds apart.
import { measure } from "mitata";
import type { CheckResult } from "../src/client/types.ts";
import { Registry } from "../src/config/registry.ts";
import { MetricsRecorder } from "../src/metrics/recorder.ts";
import { checkSpec, rotatingUsers, type Spec, type Timing, touchEveryUser } from "./e2e.ts";
import { type LoadResult, load } from "./load.ts";

export interface MetricsRound {
  off: LoadResult;
  on: LoadResult;
}

export interface MetricsCost {
  rounds: MetricsRound[];
  /** The median round's on/off throughput. */
  ratio: number;
  /** CPU the recorder takes per admitted check (`recorderNsPerCheck`). */
  nsPerCheck: number;
}

const allowed = (url: string, timing: Timing): Spec => {
  const users = rotatingUsers(timing.users);
  return checkSpec(url, () => ({ policies: ["bench_user"], user: users() }));
};

export async function metricsOnOff(
  offUrl: string,
  onUrl: string,
  timing: Timing,
): Promise<Omit<MetricsCost, "nsPerCheck">> {
  const off = allowed(offUrl, timing);
  const on = allowed(onUrl, timing);
  await touchEveryUser(off, timing);
  await touchEveryUser(on, timing);
  const run = (spec: Spec, durationS: number) =>
    load({ ...spec, connections: timing.connections, durationS });
  await run(off, timing.warmupS);
  await run(on, timing.warmupS);
  const roundS = Math.max(timing.floorS / 2, 0.5);
  const rounds: MetricsRound[] = [];
  for (let i = 0; i < (timing.durationS >= 10 ? 8 : 2); i++) {
    // Alternating which goes first, so neither always runs on a warmer machine.
    const first = await run(i % 2 === 0 ? off : on, roundS);
    const second = await run(i % 2 === 0 ? on : off, roundS);
    const round = i % 2 === 0 ? { off: first, on: second } : { off: second, on: first };
    console.log(
      `  round ${i + 1}: metrics off ${round.off.rps.toFixed(0)} req/s, ` +
        `on ${round.on.rps.toFixed(0)} req/s`,
    );
    rounds.push(round);
  }
  const ratios = rounds.map((r) => r.on.rps / r.off.rps).sort((a, b) => a - b);
  const middle = ratios.length / 2;
  const ratio =
    ratios.length % 2 === 1
      ? (ratios[Math.floor(middle)] as number)
      : ((ratios[middle - 1] as number) + (ratios[middle] as number)) / 2;
  return { rounds, ratio };
}

/**
 * What counting adds to one check in CPU time, in this Node process (mitata): the recorder's
 * work for an admitted check of one policy, which is all a check does for metrics.
 */
export async function recorderNsPerCheck(quick: boolean): Promise<number> {
  const registry = Registry.fromJson({
    app: "bench",
    policies: { bench_user: { kind: "throttle", rate: 1_000_000, per: 1, scope: "user" } },
  });
  const recorder = new MetricsRecorder({
    registry,
    send: async () => {},
    abandonedAfterMs: 1_000,
    background: () => {},
    // Never flushes during the measurement: only the counting is measured.
    wait: () => new Promise(() => {}),
  });
  const result: CheckResult = {
    allowed: true,
    retryAfterMs: 0,
    policies: [
      {
        name: "bench_user",
        allowed: true,
        limit: 1_000_000,
        remaining: 999_999,
        retryAfterMs: 0,
        resetMs: 1,
        windowSeconds: 1,
        scope: "user",
      },
    ],
  };
  const users = Array.from({ length: 1_000 }, (_, i) => String(i));
  const stats = await measure(
    () => {
      for (const user of users) {
        recorder.checked({ door: "http" }, { user }, { kind: "decided", result, fromCache: false });
      }
    },
    { min_cpu_time: (quick ? 0.1 : 1) * 1e9 },
  );
  const ns = stats.avg / users.length;
  console.log(`  counting one admitted check: ${ns.toFixed(0)} ns of CPU`);
  return ns;
}
