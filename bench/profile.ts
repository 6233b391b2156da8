// A CPU profile of one route under load, taken from workerd's inspector: where the worker
// (and the objects, which run in the same isolate) spend their time. Unminified, so that the
// profile names our functions. Writes a .cpuprofile (open it in Chrome's DevTools) to the temp
// directory and prints the functions with the most time of their own.
//   node bench/profile.ts allowed      # also: healthz, disabled, flood, telegram
//   node bench/profile.ts allowed 20   # seconds of load (default 10)
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startDev } from "../scripts/e2e/dev-server.ts";
import { makeSandbox } from "../scripts/e2e/sandbox.ts";
import { checkSpec, rotatingUsers, type Spec, touchEveryUser, webhookSpec } from "./e2e.ts";
import { load } from "./load.ts";
import { startOrigin } from "./origin.ts";
import { benchPolicies } from "./policies.ts";

const USERS = 1_000;
const timing = {
  connections: 16,
  durationS: 0,
  floorS: 0,
  warmupS: 0,
  users: USERS,
  floodRequests: 0,
};

function scenario(name: string, url: string): Spec {
  const users = rotatingUsers(USERS);
  switch (name) {
    case "healthz":
      return { url: `${url}/healthz`, expectStatus: 200 };
    case "allowed":
      return checkSpec(url, () => ({ policies: ["bench_user"], user: users() }));
    case "disabled":
      return checkSpec(url, { policies: ["bench_disabled"], user: "anyone" });
    case "flood":
      return checkSpec(url, { policies: ["bench_flood"], user: "flooder" }, 429);
    case "telegram":
      return webhookSpec(`${url}/telegram/bench`, timing);
    default:
      throw new Error(`no scenario ${name}: healthz, allowed, disabled, flood or telegram`);
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A DevTools protocol session on the inspector's one target. */
async function inspect(port: number) {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  if (target === undefined) throw new Error("the inspector lists no target");
  // wrangler's inspector proxy admits local origins only; Node's WebSocket sends none unasked.
  const socket = new WebSocket(target.webSocketDebuggerUrl, {
    headers: { Origin: "http://localhost" },
  } as unknown as string[]);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
}

/** Self time per function (µs), across every node that names it. */
function selfTimes(profile: Profile): [string, number][] {
  const byNode = new Map<number, number>();
  profile.samples.forEach((node, i) => {
    byNode.set(node, (byNode.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === "" ? "" : ` ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
    const name = `${functionName || "(anonymous)"}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + (byNode.get(node.id) ?? 0));
  }
  return [...byFunction].sort((a, b) => b[1] - a[1]);
}

const [name = "allowed", seconds = "10"] = process.argv.slice(2);
const cwd = makeSandbox(benchPolicies(await startOrigin()));
const config = join(cwd, "wrangler.toml");
writeFileSync(config, readFileSync(config, "utf8").replace(/^minify = true$/m, "minify = false"));
const inspectorPort = await freePort();
const dev = await startDev({ cwd, persistTo: join(cwd, ".state"), inspectorPort });
try {
  const spec = scenario(name, dev.url);
  if (name === "allowed" || name === "telegram") await touchEveryUser(spec, timing);
  await load({ ...spec, connections: 16, durationS: 2 });
  const inspector = await inspect(inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const result = await load({ ...spec, connections: 16, durationS: Number(seconds) });
  const { profile } = (await inspector.send("Profiler.stop")) as { profile: Profile };
  inspector.close();
  const out = join(tmpdir(), `edge-limiter-${name}.cpuprofile`);
  writeFileSync(out, JSON.stringify(profile));
  // The profile's line numbers are the bundle's: keep it beside the profile.
  const bundles = join(cwd, ".wrangler", "tmp");
  for (const dir of readdirSync(bundles).filter((d) => d.startsWith("dev-"))) {
    copyFileSync(join(bundles, dir, "index.js"), join(tmpdir(), `edge-limiter-${name}.index.js`));
  }
  const total = profile.endTime - profile.startTime;
  console.log(`${name}: ${result.rps.toFixed(0)} req/s; profile in ${out}`);
  for (const [fn, us] of selfTimes(profile).slice(0, 40)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${fn}`);
  }
} finally {
  await dev.stop();
}
process.exit(0);
