import { z } from "zod";
import { issueText } from "../config/errors.ts";
import { expected, integer, shown } from "../config/fields.ts";
import type { Policy } from "../config/policy.ts";
import type { Registry } from "../config/registry.ts";
import { parseIp } from "../core/ip.ts";
import { identifierProblem } from "../core/keys.ts";

/** A request the caller got wrong: a 400 over HTTP, a thrown Error over RPC. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

export const MAX_POLICIES_PER_CHECK = 16;
export const MAX_FINGERPRINT_LENGTH = 8192;

// Telegram ids arrive as numbers; every id is a string once inside.
export const identifier = z
  .union([z.string(), z.number().int().safe()], { error: expected("a string or an integer") })
  .transform((value, ctx) => {
    const text = String(value);
    const problem = identifierProblem(text);
    if (problem) ctx.issues.push({ code: "custom", message: problem, input: value });
    return text;
  });

// Kept whole and canonical: a policy applies its network prefix where it builds a key.
const ipAddress = z
  .string({ error: expected("an IP address as a string") })
  .transform((value, ctx) => {
    const address = parseIp(value);
    if (address === undefined) {
      ctx.issues.push({
        code: "custom",
        message: `must be an IPv4 or IPv6 address, got ${shown(value)}`,
        input: value,
      });
    }
    return address ?? value;
  });

export const subjectShape = {
  user: identifier.optional(),
  chat: identifier.optional(),
  ip: ipAddress.optional(),
  key: identifier.optional(),
  // Not who, but where within the subject: for policies that count per request bucket.
  bucket: identifier.optional(),
};

export const policyName = z
  .string({ error: expected("a policy name") })
  .min(1, { error: "must not be empty" })
  .max(64, { error: "must be at most 64 characters" });

const cost = integer(1, 1_000_000);

export const checkSchema = z.strictObject({
  policies: z
    .array(policyName, { error: expected("an array of policy names") })
    .min(1, { error: "must name at least one policy" })
    .max(MAX_POLICIES_PER_CHECK, { error: `must name at most ${MAX_POLICIES_PER_CHECK}` }),
  ...subjectShape,
  cost: cost.default(1),
  fingerprint: z
    .string({ error: expected("a string") })
    .max(MAX_FINGERPRINT_LENGTH, { error: `must be at most ${MAX_FINGERPRINT_LENGTH} characters` })
    .optional(),
});

export const policySubjectSchema = z.strictObject({ policy: policyName, ...subjectShape });

export type CheckRequest = z.input<typeof checkSchema>;
export type ParsedCheck = z.output<typeof checkSchema>;
export type PolicySubject = z.input<typeof policySubjectSchema>;

const FIELDS = ["policies", "policy", "user", "chat", "ip", "key", "bucket", "cost", "fingerprint"];

/**
 * Parses a request body; throws an InputError naming every field that is wrong (and, for an
 * unknown one, the closest of `fields`).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  fields: readonly string[] = FIELDS,
): z.output<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InputError("the body must be a JSON object");
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => issueText(issue, () => [...fields]));
  throw new InputError(problems.join("; "));
}

/** A policy the caller named: an unknown name is the caller's mistake, said as such. */
export function namedPolicy(registry: Registry, name: string): Policy {
  try {
    return registry.get(name);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}
