import { LIMIT_FIELDS } from "../config/limit-fields.ts";
import { InputError } from "../limiter/request.ts";

/** A form body as `parseBody({ all: true })` reads it: repeated fields as arrays. */
export type Form = Record<string, string | File | (string | File)[]>;

/** A text field: trimmed, undefined when empty or absent. */
export function field(form: Form, name: string): string | undefined {
  const value = form[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== "string") return undefined;
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

function fields(form: Form, name: string): string[] {
  const value = form[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === "string" && v.trim() !== "");
}

/**
 * A number field as a number when it is one; anything else is passed on as typed, so the
 * rules' validator names the field and shows what was given.
 */
function numeric(form: Form, name: string): number | string | undefined {
  const text = field(form, name);
  return text !== undefined && /^\d{1,12}$/.test(text) ? Number(text) : text;
}

const IDENTITIES = ["user", "chat", "ip", "key"] as const;

/** The block form: one identity (`identity` names which, `value` holds it), and options. */
export function blockInput(form: Form): Record<string, unknown> {
  const kind = field(form, "identity");
  if (!IDENTITIES.includes(kind as (typeof IDENTITIES)[number])) {
    throw new InputError("choose what to block: a user, a chat, an ip or a key");
  }
  const value = field(form, "value");
  if (value === undefined) throw new InputError(`give the ${kind} to block`);
  const input: Record<string, unknown> = { [kind as string]: value };
  const policies = fields(form, "policies");
  if (policies.length > 0) input.policies = policies;
  return { ...input, ...timing(form) };
}

/** A block's new duration and reason (changing a block). */
export function timing(form: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seconds = numeric(form, "seconds");
  if (seconds !== undefined) out.seconds = seconds;
  const reason = field(form, "reason");
  if (reason !== undefined) out.reason = reason;
  return out;
}

/** Every field a limit of some kind takes in policies.json (config/limit-fields.ts). */
export const LIMIT_FIELD_NAMES = [...new Set(Object.values(LIMIT_FIELDS).flat())];

/** The override form: a policy, the identity its scope reads, and a limit or "unlimited". */
export function overrideInput(form: Form): { policy: string; input: Record<string, unknown> } {
  const policy = field(form, "policy");
  if (policy === undefined) throw new InputError("choose the policy to override");
  const input: Record<string, unknown> = {};
  for (const name of IDENTITIES) {
    const value = field(form, name);
    if (value !== undefined) input[name] = value;
  }
  if (field(form, "unlimited") !== undefined) {
    input.limit = "unlimited";
  } else {
    const limit: Record<string, unknown> = {};
    for (const name of LIMIT_FIELD_NAMES) {
      const value = numeric(form, name);
      if (value !== undefined) limit[name] = value;
    }
    input.limit = limit;
  }
  return { policy, input: { ...input, ...timing(form) } };
}
