// What the numbers were measured on: the machine and the versions of everything measured.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT } from "../scripts/e2e/sandbox.ts";

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  memoryGiB: number;
  kernel: string;
  /** The commit measured, and whether the measured code differed from it. */
  commit: string;
  versions: Record<string, string>;
}

const PACKAGES = ["wrangler", "workerd", "hono", "rate-limiter-flexible", "autocannon", "mitata"];

function installed(name: string): string {
  const file = join(ROOT, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

function commit(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" });
  try {
    const head = git("rev-parse", "--short", "HEAD").trim();
    const changed = git("status", "--porcelain", "--", "src", "policies.json").trim() !== "";
    return changed ? `${head}, with uncommitted changes to src/ or policies.json` : head;
  } catch {
    return "unknown (not a git checkout)";
  }
}

export function machine(): Machine {
  const versions: Record<string, string> = { node: process.version.slice(1) };
  for (const name of PACKAGES) versions[name] = installed(name);
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    commit: commit(),
    versions,
  };
}
