import { z } from "zod";
import { configSchema } from "./schema.ts";

/** The JSON Schema of policies.json, derived from the validator so the two cannot drift. */
export function policiesJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
  const titled = {
    ...schema,
    title: "edge-limiter policies",
    description: "Named rate-limit policies, bundled into the worker at build time.",
  };
  return `${JSON.stringify(titled, null, 2)}\n`;
}
