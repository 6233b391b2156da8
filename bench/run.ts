// The benchmarks: core decisions (mitata), storage rows (vitest in workerd), and the routes
// end to end on `wrangler dev` under autocannon, all on this machine, loopback only.
//   npm run bench              full run, rewrites BENCHMARKS.md (under 5 minutes)
//   npm run bench -- --quick   short run for CI: fails unless every scenario gave numbers
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_BOT_SECRET, BENCH_BOT_SECRET_VAR } from "./bench-policies.ts";
import { runCore } from "./core.ts";
import { type Dev, startDev } from "./dev.ts";
import { allowedOnly, consumerScenarios, limiterScenarios, type Timing } from "./e2e.ts";
import { machine } from "./machine.ts";
import { startOrigin } from "./origin.ts";
import { report } from "./report.ts";
import { type BenchResults, goals } from "./results.ts";
import { API_TOKEN, makeSandbox, ROOT } from "./sandbox.ts";
import { runStorage } from "./storage.ts";
import { validate } from "./validate.ts";

const quick = process.argv.includes("--quick");
const timing: Timing = quick
  ? { connections: 16, durationS: 1, floorS: 0.5, warmupS: 0.5, users: 100, floodRequests: 1_000 }
  : { connections: 16, durationS: 10, floorS: 5, warmupS: 2, users: 1_000, floodRequests: 10_000 };

// Whatever was started is stopped, on success, failure or Ctrl-C.
const running = new Set<Dev>();
const cleanups: (() => void)[] = [];
process.on("exit", () => {
  for (const dev of running) dev.killNow();
  for (const cleanup of cleanups) cleanup();
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => process.exit(130));
}

async function session<T>(
  options: Parameters<typeof startDev>[0],
  body: (url: string) => Promise<T>,
): Promise<T> {
  const dev = await startDev(options);
  running.add(dev);
  try {
    return await body(dev.url);
  } finally {
    await dev.stop();
    running.delete(dev);
  }
}

/** A fresh state directory: on tmpfs when there is one, so disk flushes are not measured. */
function stateDir(onDisk: boolean): string {
  const base = !onDisk && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, "edge-limiter-bench-state-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function main(): Promise<number> {
  const started = performance.now();
  const phase = (name: string) =>
    console.log(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${name}`);
  // Taken first: the date and the commit are those of the code about to be measured.
  const measuredOn = machine();
  console.log(`bench: ${quick ? "quick" : "full"} run of ${measuredOn.commit}`);
  phase("1. core decisions (mitata)");
  const core = await runCore(quick);
  phase("4. storage rows (vitest in workerd)");
  const storage = await runStorage(quick);

  const origin = await startOrigin();
  cleanups.push(origin.stop);
  const sandbox = makeSandbox(origin.url);
  cleanups.push(sandbox.remove);
  const vars = {
    API_TOKEN,
    TELEGRAM_SECRET_DEMO: "bench-demo-secret",
    [BENCH_BOT_SECRET_VAR]: BENCH_BOT_SECRET,
  };
  const limiterOptions = {
    cwd: sandbox.dir,
    configs: ["wrangler.toml"],
    vars,
    readyPath: "/healthz",
  };
  const persistTo = stateDir(false);
  phase("2, 3, 5. the limiter on wrangler dev");
  const limiter = await session({ ...limiterOptions, persistTo }, (url) =>
    limiterScenarios(url, origin.url, timing),
  );
  phase("2. the allowed path with its state on disk");
  const disk = await session({ ...limiterOptions, persistTo: stateDir(true) }, (url) =>
    allowedOnly(url, timing),
  );
  phase("2. the example consumer over a service binding");
  const consumer = await session(
    {
      cwd: sandbox.dir,
      configs: ["examples/consumer/wrangler.toml", "wrangler.toml"],
      // The limiter, second here, reads its secrets from the copy's .dev.vars.
      vars: {},
      persistTo: stateDir(false),
      readyPath: "/",
    },
    (url) => consumerScenarios(url, timing),
  );

  const results: BenchResults = {
    quick,
    seconds: (performance.now() - started) / 1000,
    machine: measuredOn,
    timing,
    persistedOn: persistTo.startsWith("/dev/shm")
      ? "tmpfs (/dev/shm), so that this VM's disk flushes are not what is measured; a " +
        "session of its own, below, runs the allowed path with the state on disk"
      : "the temp directory",
    core,
    storage,
    limiter,
    disk,
    consumer,
  };
  phase("done measuring");
  const problems = validate(results);
  for (const goal of goals(results)) {
    const met = goal.met === undefined ? "" : goal.met ? "  met" : "  NOT MET";
    console.log(`  ${goal.what}: ${goal.measured} (goal ${goal.goal})${met}`);
  }
  if (problems.length > 0) {
    console.error(`bench: ${problems.length} scenario(s) gave no usable numbers:`);
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
  }
  const out = quick ? join(tmpdir(), "BENCHMARKS.quick.md") : join(ROOT, "BENCHMARKS.md");
  writeFileSync(out, report(results));
  console.log(
    `bench: every scenario gave numbers; wrote ${out} in ${results.seconds.toFixed(0)} s`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
