// Validates policies.json and keeps policies.schema.json in step with the validator.
//   node scripts/policies.ts --check   fail if policies.json is invalid, names a secret that
//                                      wrangler.toml does not list, or the schema is stale
//   node scripts/policies.ts --write   regenerate policies.schema.json
import { readFileSync, writeFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { ConfigError } from "../src/config/errors.ts";
import { policiesJsonSchema } from "../src/config/json-schema.ts";
import { Registry } from "../src/config/registry.ts";
import { unlistedSecrets } from "../src/config/secrets.ts";

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
  const registry = Registry.fromJson(
    JSON.parse(readFileSync(new URL("policies.json", root), "utf8")),
  );
  console.log(`policies.json: ${registry.list().length} policies, valid`);
  const wrangler = parseToml(readFileSync(new URL("wrangler.toml", root), "utf8")) as {
    secrets?: { required?: string[] };
  };
  const unlisted = unlistedSecrets(registry, wrangler.secrets?.required);
  if (unlisted.length > 0) {
    failed = true;
    console.error(`wrangler.toml:\n  - ${unlisted.join("\n  - ")}`);
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
