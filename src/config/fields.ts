import { z } from "zod";

/** Renders a rejected value in an error message, short and unambiguous. */
export function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? "";
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * An error message that says what was expected and what came. zod keeps the input only
 * while the message is made, so a missing field is told apart here.
 */
export function expected(what: string) {
  return (iss: { input?: unknown }) =>
    iss.input === undefined ? "is required" : `must be ${what}, got ${shown(iss.input)}`;
}

/** A whole number in [min, max], with messages that say what was expected and what came. */
export function integer(min: number, max: number) {
  const what =
    min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : `an integer ≥ ${min}`;
  const message = expected(what);
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: (iss) => `must be at most ${max}, got ${shown(iss.input)}` });
}

/** A name segment that can sit inside a key: no separator, no control characters. */
export function token(what: string, max = 64) {
  return z
    .string({ error: expected(`a string (${what})`) })
    .min(1, { error: "must not be empty" })
    .max(max, { error: (iss) => `must be at most ${max} characters, got ${shown(iss.input)}` })
    .regex(/^[A-Za-z0-9_.@/-]+$/, {
      error: (iss) => `may hold only letters, digits and _ . @ / -, got ${shown(iss.input)}`,
    });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: expected(`one of ${values.join(", ")}`),
  });
}

export function flag() {
  return z.boolean({ error: expected("true or false") });
}

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/** An https URL, or an http one on this machine (local development and tests). */
export function isHttpsOrLoopback(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      url.protocol === "https:" ||
      (url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname))
    );
  } catch {
    return false;
  }
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The name of a secret or binding, as `wrangler secret put NAME` takes it. */
export const envName = (what: string) =>
  z.string({ error: expected(`the name of ${what}`) }).regex(ENV_NAME, {
    error: (iss) => `must be a binding name (A-Z, 0-9, _), got ${shown(iss.input)}`,
  });
