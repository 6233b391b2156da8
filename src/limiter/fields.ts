import type { z } from "zod";
import { issueText } from "../config/errors.ts";
import { InputError } from "./request.ts";

/**
 * Parses a small request body with fields of its own (a lease renewal, a refund); throws an
 * InputError naming every field that is wrong, with a suggestion for a misspelt one.
 */
export function parseFields<S extends z.ZodType>(
  schema: S,
  input: unknown,
  fields: string[],
): z.output<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InputError("the body must be a JSON object");
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new InputError(
    parsed.error.issues.map((issue) => issueText(issue, () => fields)).join("; "),
  );
}
