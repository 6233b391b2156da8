// "#policies" is the project's policies.json (package.json "imports"); the tests point it at
// fixture policies of their own, so a user's edits never break them.
import policies from "#policies";
import { Registry } from "./registry.ts";

/**
 * The registry built from the bundled policies.json, with the set of `environment` (the
 * deployment's POLICY_ENV; the base alone when unset). Every environment is validated, so a
 * worker with a bad file fails to start (and `wrangler deploy` refuses it) instead of serving.
 */
export function bundledRegistry(environment: string | undefined): Registry {
  return Registry.fromJson(policies, environment);
}
