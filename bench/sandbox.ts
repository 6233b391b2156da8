// A temporary copy of the project for the end-to-end benchmarks, with its own policies.json,
// so neither src/ nor the bundled policies change. src/ is copied rather than linked because
// esbuild resolves links to their real paths, which would bundle the real policies.json.
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_BOT_SECRET, BENCH_BOT_SECRET_VAR, benchPolicies } from "./bench-policies.ts";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const API_TOKEN = "bench-token";

const COPIED = [
  "src",
  "scripts",
  "examples",
  "wrangler.toml",
  "package.json",
  "tsconfig.json",
  // The [build] check fails unless the schema matches the validator, as this copy does.
  "policies.schema.json",
];

export interface Sandbox {
  dir: string;
  remove(): void;
}

export function makeSandbox(originUrl: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "edge-limiter-bench-"));
  for (const name of COPIED) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(
    join(dir, "policies.json"),
    `${JSON.stringify(benchPolicies(originUrl), null, 2)}\n`,
  );
  // Read by the limiter when it is the second config of a two-worker `wrangler dev`.
  writeFileSync(
    join(dir, ".dev.vars"),
    [
      `API_TOKEN=${API_TOKEN}`,
      "TELEGRAM_SECRET_DEMO=bench-demo-secret",
      `${BENCH_BOT_SECRET_VAR}=${BENCH_BOT_SECRET}`,
      "",
    ].join("\n"),
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
