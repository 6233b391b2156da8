// The benchmarks: core decisions (mitata), storage rows (vitest in workerd), and the routes
// end to end on `wrangler dev` under autocannon, all on this machine, loopback only, all with
// the bench's own policies (bench/policies.ts). Asserts no timings: a run fails only when a
// scenario did not do what it says (the statuses it expects).
//   npm run bench              full run, about 7 minutes; rewrites BENCHMARKS.md
//   npm run bench -- --quick   short run for CI; its report goes to the temp directory
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDev } from "../scripts/e2e/dev-server.ts";
import { BOT_TOKEN, makeSandbox, ROOT } from "../scripts/e2e/sandbox.ts";
import { startFakeBotApi } from "../scripts/fake-bot-api/server.ts";
import { runCore } from "./core.ts";
import { allowedOnly, consumerScenarios, limiterScenarios, type Timing } from "./e2e.ts";
import { gatewayScenarios } from "./gateway.ts";
import { machine } from "./machine.ts";
import { metricsMemory } from "./memory.ts";
import { metricsOnOff, recorderNsPerCheck } from "./metrics.ts";
import { runModel } from "./model.ts";
import { startOrigin } from "./origin.ts";
import { benchPolicies, GENEROUS } from "./policies.ts";
import { goals, report } from "./report.ts";
import { floorPass } from "./runtime-floors.ts";
import { runStorage } from "./storage.ts";

const quick = process.argv.includes("--quick");
const timing: Timing = quick
  ? { connections: 16, durationS: 1, floorS: 0.5, warmupS: 0.5, users: 100, floodRequests: 1_000 }
  : { connections: 16, durationS: 10, floorS: 5, warmupS: 2, users: 1_000, floodRequests: 10_000 };

/** A fresh state directory, removed at exit: on tmpfs unless `onDisk`, if there is one. */
function stateDir(onDisk: boolean): string {
  const base = !onDisk && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, "edge-limiter-bench-state-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function session<T>(
  options: Parameters<typeof startDev>[0],
  body: (url: string) => Promise<T>,
): Promise<T> {
  const dev = await startDev(options);
  try {
    return await body(dev.url);
  } finally {
    await dev.stop();
  }
}

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
phase("7. hot keys in a production model (vitest in workerd, simulated clock)");
const model = await runModel(quick);

const originUrl = await startOrigin();
const botApi = await startFakeBotApi(BOT_TOKEN, GENEROUS);
const cwd = makeSandbox(benchPolicies(originUrl, botApi.url));
cpSync(join(ROOT, "bench/floors"), join(cwd, "bench/floors"), { recursive: true });
const persistTo = stateDir(false);
const floorsSession = {
  cwd,
  configs: ["bench/floors/wrangler.toml"],
  persistTo: stateDir(false),
  readyPath: "/noop",
  vars: { ORIGIN: originUrl },
};
phase("2, 3, 5, 6. the limiter and the Bot API gateway, the runtime's floors around them");
const { limiter, gateway, floors } = await session({ cwd, persistTo }, (url) =>
  session(floorsSession, async (floorsUrl) => {
    const before = await floorPass(floorsUrl, timing);
    const limiter = await limiterScenarios(url, originUrl, timing);
    const after = await floorPass(floorsUrl, timing);
    return {
      limiter,
      floors: { before, after },
      gateway: await gatewayScenarios(url, botApi.url, timing),
    };
  }),
);
phase("2. the allowed path with its state on disk");
const disk = await session({ cwd, persistTo: stateDir(true) }, (url) => allowedOnly(url, timing));
phase("6. the allowed path with metrics off and on, two sessions in alternating rounds");
const onOff = await session(
  { cwd, persistTo: stateDir(false), vars: { METRICS_ENABLED: "false" } },
  (offUrl) =>
    session({ cwd, persistTo: stateDir(false) }, (onUrl) => metricsOnOff(offUrl, onUrl, timing)),
);
const metrics = { ...onOff, nsPerCheck: await recorderNsPerCheck(quick) };
phase("2. the example consumer over a service binding");
const consumer = await session(
  {
    cwd,
    configs: ["examples/consumer/wrangler.toml", "wrangler.toml"],
    persistTo: stateDir(false),
    readyPath: "/",
  },
  (url) => consumerScenarios(url, timing),
);

const results = {
  quick,
  seconds: (performance.now() - started) / 1000,
  machine: measuredOn,
  timing,
  stateOnTmpfs: persistTo.startsWith("/dev/shm"),
  core,
  storage,
  model,
  limiter,
  floors,
  gateway,
  disk,
  metrics,
  metricsMemory: metricsMemory(),
  consumer,
};
for (const [what, measured, goal, met] of goals(results)) {
  console.log(`  ${what}: ${measured} (goal ${goal})${met === false ? "  NOT MET" : ""}`);
}
const out = quick ? join(tmpdir(), "BENCHMARKS.quick.md") : join(ROOT, "BENCHMARKS.md");
writeFileSync(out, report(results));
console.log(`bench: every scenario gave numbers; wrote ${out} in ${results.seconds.toFixed(0)} s`);
process.exit(0);
