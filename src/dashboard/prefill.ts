import { LIMIT_FIELD_NAMES } from "./forms.ts";

const PREFILLED = ["policy", "user", "chat", "ip", "key", "unlimited", "seconds", "reason"];

/** The override form's fields, as a link set them in the query (only short text). */
export function prefillOf(query: Record<string, string>): Record<string, string> {
  const prefill: Record<string, string> = {};
  for (const name of [...PREFILLED, ...LIMIT_FIELD_NAMES]) {
    const value = query[name];
    if (typeof value === "string" && value.length <= 200) prefill[name] = value;
  }
  return prefill;
}
