// A temporary copy of the project with policies of its own, for the runs on `wrangler dev`
// (e2e and benchmarks): the worker bundles policies.json at build time, and these runs must
// not depend on the one a user edits. src/ is copied rather than linked because esbuild
// resolves links to their real paths, which would bundle the real policies.json.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const API_TOKEN = "sandbox-token";
export const ADMIN_TOKEN = "sandbox-admin-token";
export const METRICS_TOKEN = "sandbox-metrics-token";
/** Held by TELEGRAM_SECRET_DEMO, a secret wrangler.toml requires, so `wrangler dev` loads it. */
export const TELEGRAM_SECRET = "sandbox-telegram-secret";
/** Held by TELEGRAM_TOKEN_DEMO: the token of the bot whose Bot API gateway the runs call. */
export const BOT_TOKEN = "123456:sandbox-bot-token";

const COPIED = [
  "src",
  "scripts",
  "examples",
  "package.json",
  "tsconfig.json",
  // The [build] check fails unless the schema matches the validator, as this copy does.
  "policies.schema.json",
];

const sandboxes: string[] = [];
process.on("exit", () => {
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the project serving `policies`; removed when this process exits. */
export function makeSandbox(policies: object): string {
  const dir = mkdtempSync(join(tmpdir(), "edge-limiter-sandbox-"));
  sandboxes.push(dir);
  for (const name of COPIED) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, "policies.json"), `${JSON.stringify(policies, null, 2)}\n`);
  // The copy's policies define no environments, so it serves the base deployment alone:
  // wrangler.toml's environments, which name the shipped file's, would fail its build check.
  const wrangler = parseToml(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
  delete wrangler.env;
  writeFileSync(join(dir, "wrangler.toml"), stringifyToml(wrangler));
  // Read by every worker in the copy, the limiter also when it is a second `-c` config.
  writeFileSync(
    join(dir, ".dev.vars"),
    `API_TOKEN=${API_TOKEN}\nADMIN_TOKEN=${ADMIN_TOKEN}\nMETRICS_TOKEN=${METRICS_TOKEN}\n` +
      `TELEGRAM_SECRET_DEMO=${TELEGRAM_SECRET}\nTELEGRAM_TOKEN_DEMO=${BOT_TOKEN}\n`,
  );
  return dir;
}
