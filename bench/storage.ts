// Runs the storage benchmark inside workerd (bench/vitest.storage.config.ts) and reads back
// the numbers its test printed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./sandbox.ts";
import type { StorageResult } from "./storage-result.ts";

export async function runStorage(quick: boolean): Promise<StorageResult> {
  const dir = mkdtempSync(join(tmpdir(), "edge-limiter-storage-"));
  const out = join(dir, "storage.json");
  // Shown only when it fails: vitest's own report is noise beside the bench's.
  let output = "";
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn("npx", ["vitest", "run", "-c", "bench/vitest.storage.config.ts"], {
        cwd: ROOT,
        // Its own process group, so workerd goes with it if this process is stopped.
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          BENCH_STORAGE_OUT: out,
          BENCH_SCALE: quick ? "quick" : "full",
        },
      });
      const keep = (chunk: Buffer) => {
        output += String(chunk);
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      const kill = () => {
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {}
      };
      process.once("exit", kill);
      child.once("error", reject);
      child.once("exit", (code) => {
        process.off("exit", kill);
        resolve(code);
      });
    });
    if (code !== 0) {
      process.stderr.write(output);
      throw new Error(`the storage benchmark (vitest) exited with ${code}`);
    }
    return JSON.parse(readFileSync(out, "utf8")) as StorageResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
