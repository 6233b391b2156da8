// Starts and kills a local `wrangler dev` for the end-to-end checks.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export const TOKEN = "e2e-token";

export interface DevServer {
  url: string;
  /** SIGKILL to wrangler and workerd at once, as a crash would. */
  kill(): Promise<void>;
  /** A clean stop. */
  stop(): Promise<void>;
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

/** `wrangler dev` on `port`, its state persisted to `persistTo`, ready when it answers. */
export async function startDev(port: number, persistTo: string): Promise<DevServer> {
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      persistTo,
      "--var",
      `API_TOKEN:${TOKEN}`,
      "--var",
      "TELEGRAM_SECRET_DEMO:e2e-telegram-secret",
      "--log-level",
      "error",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, CI: "true" } },
  );
  running.add(child.pid as number);
  child.once("exit", () => running.delete(child.pid as number));
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const url = `http://127.0.0.1:${port}`;
  const signal = async (name: NodeJS.Signals) => {
    killGroup(child.pid as number, name);
    await exited(child);
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr.slice(-2000)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) {
        return { url, kill: () => signal("SIGKILL"), stop: () => signal("SIGTERM") };
      }
    } catch {}
    await sleep(500);
  }
  await signal("SIGKILL");
  throw new Error(`wrangler dev did not answer within 60 s: ${stderr.slice(-2000)}`);
}
