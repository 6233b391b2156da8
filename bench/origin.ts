// Runs bench/origin-server.ts as a child process and reports where it listens.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Origin {
  url: string;
  stop(): void;
}

export function startOrigin(): Promise<Origin> {
  const script = fileURLToPath(new URL("./origin-server.ts", import.meta.url));
  // process.execPath: the Node 22 running this script, which strips the types.
  const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "inherit"] });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`origin exited with ${code}`)));
    child.stdout.once("data", (chunk) => {
      const port = Number(String(chunk).trim());
      if (!Number.isInteger(port)) reject(new Error(`origin printed ${String(chunk)}`));
      else resolve({ url: `http://127.0.0.1:${port}/`, stop });
    });
  });
}
