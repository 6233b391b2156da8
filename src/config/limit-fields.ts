import type { Limit } from "../core/limits.ts";
import { ConfigError, issueText } from "./errors.ts";
import { shown } from "./fields.ts";
import { limitOf } from "./policy.ts";
import { policySchema } from "./policy-schema.ts";
import { didYouMean } from "./suggest.ts";

/** The fields that say a limit, per kind: what a runtime override may replace. */
export const LIMIT_FIELDS: Record<Limit["kind"], readonly string[]> = {
  throttle: ["rate", "per", "burst", "capacity", "refillPerMinute"],
  debounce: ["window"],
  window: ["limit", "window"],
  concurrency: ["limit", "ttl"],
};

/**
 * A replacement limit of `kind`, written with the fields policies.json uses for that kind and
 * checked by the same validator. Throws a ConfigError whose lines name `at.<field>`.
 */
export function parseLimitFields(kind: Limit["kind"], input: unknown, at = "limit"): Limit {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    const fields = LIMIT_FIELDS[kind].join(", ");
    throw new ConfigError([`${at} must be an object of ${fields}, got ${shown(input)}`]);
  }
  const allowed = LIMIT_FIELDS[kind];
  const foreign = Object.keys(input).filter((field) => !allowed.includes(field));
  if (foreign.length > 0) {
    throw new ConfigError(
      foreign.map(
        (field) =>
          `${at}.${field} is not a field of a ${kind} limit (${allowed.join(", ")}).${didYouMean(field, allowed)}`,
      ),
    );
  }
  const parsed = policySchema.safeParse({ ...input, kind });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) =>
        issueText({ ...issue, path: [at, ...issue.path] }, () => [...allowed]),
      ),
    );
  }
  return limitOf(parsed.data);
}
