// Starts and stops `wrangler dev` for the end-to-end checks and the benchmarks.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface DevServer {
  url: string;
  /** SIGKILL to wrangler and workerd at once, as a crash would. */
  kill(): Promise<void>;
  /** A clean stop, forced after 5 s. */
  stop(): Promise<void>;
}

export interface DevOptions {
  /** A project copy (scripts/e2e/sandbox.ts): its policies and its .dev.vars are served. */
  cwd: string;
  persistTo: string;
  /** `-c` configs, the first one served; by default the limiter's own. */
  configs?: string[];
  /** Any HTTP answer here means every worker is up. */
  readyPath?: string;
  /** `--var NAME:value` for each, e.g. `METRICS_ENABLED: "false"`. */
  vars?: Record<string, string>;
  /** Where workerd's inspector listens (bench/profile.ts); wrangler picks one by default. */
  inspectorPort?: number;
}

// wrangler runs in its own process group so a crash can be simulated by killing the group;
// that also means it would outlive this script. Whatever ends this script ends them too.
const running = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {}
}

process.on("exit", () => {
  for (const pid of running) killGroup(pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
}

/** A port nothing listens on now, so a leftover server elsewhere cannot collide with ours. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

export async function startDev(options: DevOptions): Promise<DevServer> {
  const port = await freePort();
  const args = ["wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1"];
  for (const config of options.configs ?? ["wrangler.toml"]) args.push("-c", config);
  for (const [name, value] of Object.entries(options.vars ?? {}))
    args.push("--var", `${name}:${value}`);
  if (options.inspectorPort !== undefined)
    args.push("--inspector-port", String(options.inspectorPort));
  args.push("--persist-to", options.persistTo, "--log-level", "error");
  const child = spawn("npx", args, {
    cwd: options.cwd,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  const pid = child.pid as number;
  running.add(pid);
  child.once("exit", () => running.delete(pid));
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const kill = async () => {
    killGroup(pid, "SIGKILL");
    await exited(child);
  };
  const stop = async () => {
    killGroup(pid, "SIGTERM");
    const gone = await Promise.race([exited(child).then(() => true), sleep(5_000, false)]);
    // workerd may outlive wrangler by a moment; the group kill reaches it too.
    killGroup(pid, "SIGKILL");
    if (!gone) await exited(child);
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr.slice(-2000)}`);
    try {
      await (await fetch(`${url}${options.readyPath ?? "/healthz"}`)).arrayBuffer();
      return { url, kill, stop };
    } catch {}
    await sleep(250);
  }
  await kill();
  throw new Error(`wrangler dev did not answer within 60 s: ${stderr.slice(-2000)}`);
}
