import type { JsonObject } from "./facts.ts";

// Every read of an update goes through these, so a wrong shape reads as "absent".

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own properties only: "constructor" or "__proto__" must never read the prototype. */
export function get(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

export function getString(value: unknown, key: string): string | undefined {
  const field = get(value, key);
  return typeof field === "string" ? field : undefined;
}

export function getNonEmptyString(value: unknown, key: string): string | undefined {
  const field = getString(value, key);
  return field === "" ? undefined : field;
}

/** Telegram ids fit in 52 bits; anything else (1.5, NaN, "123") is not an id. */
export function getInteger(value: unknown, key: string): number | undefined {
  const field = get(value, key);
  return typeof field === "number" && Number.isSafeInteger(field) ? field + 0 : undefined;
}

export function compact<T extends object>(value: T): T {
  const entries = Object.entries(value).filter(([, field]) => field !== undefined);
  return Object.fromEntries(entries) as T;
}
