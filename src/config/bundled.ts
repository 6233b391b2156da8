import policies from "../../policies.json";
import { Registry } from "./registry.ts";

/**
 * The registry built from the bundled policies.json. Validated at module load, so a worker
 * with a bad file fails to start (and `wrangler deploy` refuses it) instead of serving.
 */
export const registry = Registry.fromJson(policies);
