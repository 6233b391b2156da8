// Validates policies.json and keeps policies.schema.json in step with the validator.
//   node scripts/policies.ts --check   fail if policies.json (the base or any environment's
//                                      set) is invalid, disagrees with wrangler.toml (a secret
//                                      it does not list, an environment it does not define),
//                                      or the schema is stale
//   node scripts/policies.ts --write   regenerate policies.schema.json
import { readFileSync, writeFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { type WranglerConfig, wranglerProblems } from "../src/config/deployments.ts";
import { ConfigError } from "../src/config/errors.ts";
import { policiesJsonSchema } from "../src/config/json-schema.ts";
import { Registry } from "../src/config/registry.ts";

const root = new URL("../", import.meta.url);
const schemaPath = new URL("policies.schema.json", root);
const mode = process.argv[2] ?? "--check";

if (mode === "--write") {
  writeFileSync(schemaPath, policiesJsonSchema());
  console.log("wrote policies.schema.json");
  process.exit(0);
}

let failed = false;
try {
  const json = JSON.parse(readFileSync(new URL("policies.json", root), "utf8"));
  const registry = Registry.fromJson(json);
  console.log(`policies.json: ${registry.list().length} policies, valid`);
  for (const name of registry.environments) {
    const policies = Registry.fromJson(json, name).list().length;
    console.log(`policies.json, environment ${name}: ${policies} policies, valid`);
  }
  const wrangler = parseToml(readFileSync(new URL("wrangler.toml", root), "utf8"));
  const problems = wranglerProblems(json, wrangler as WranglerConfig);
  if (problems.length > 0) {
    failed = true;
    console.error(`wrangler.toml:\n  - ${problems.join("\n  - ")}`);
  }
} catch (error) {
  failed = true;
  console.error(
    error instanceof ConfigError || error instanceof SyntaxError ? error.message : error,
  );
}
let current = "";
try {
  current = readFileSync(schemaPath, "utf8");
} catch {}
if (current !== policiesJsonSchema()) {
  failed = true;
  console.error("policies.schema.json is out of date: run `npm run schema`");
}
process.exit(failed ? 1 : 0);
