// "#policies" is the project's policies.json (package.json "imports"); the tests point it at
// fixture policies of their own, so a user's edits never break them.
import policies from "#policies";
import { Registry } from "./registry.ts";

/**
 * The registry built from the bundled policies.json. Validated at module load, so a worker
 * with a bad file fails to start (and `wrangler deploy` refuses it) instead of serving.
 */
export const registry = Registry.fromJson(policies);
