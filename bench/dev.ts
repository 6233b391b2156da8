// Starts `wrangler dev` in the bench copy, as scripts/e2e/dev-server.ts does (a detached
// process group, killed whole), with the configs and vars a benchmark needs.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface Dev {
  url: string;
  /** Stops wrangler and its workerd children; safe to call twice. */
  stop(): Promise<void>;
  /** Synchronous last resort, for process exit. */
  killNow(): void;
}

export interface DevOptions {
  cwd: string;
  /** `-c` configs; the first is the one served. */
  configs: string[];
  vars: Record<string, string>;
  persistTo: string;
  /** Any HTTP answer from here means the workers are up. */
  readyPath: string;
}

/** A port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

export async function startDev(options: DevOptions): Promise<Dev> {
  const port = await freePort();
  const args = ["wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1"];
  for (const config of options.configs) args.push("-c", config);
  for (const [name, value] of Object.entries(options.vars)) args.push("--var", `${name}:${value}`);
  args.push("--persist-to", options.persistTo, "--log-level", "error");
  const child = spawn("npx", args, {
    cwd: options.cwd,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {}
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal("SIGTERM");
    const gone = await Promise.race([exited(child).then(() => true), sleep(5_000, false)]);
    if (!gone) {
      signal("SIGKILL");
      await exited(child);
    }
    // workerd may outlive wrangler by a moment; the group kill reaches it too.
    signal("SIGKILL");
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr.slice(-2000)}`);
    try {
      const res = await fetch(`${url}${options.readyPath}`);
      await res.arrayBuffer();
      return { url, stop, killNow: () => signal("SIGKILL") };
    } catch {}
    await sleep(250);
  }
  await stop();
  throw new Error(`wrangler dev did not answer within 60 s: ${stderr.slice(-2000)}`);
}
