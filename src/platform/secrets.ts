import { createHash } from "node:crypto";

const encoder = new TextEncoder();

// Synchronous: every request that carries a token hashes it, and the profile of a check put
// the promises of crypto.subtle.digest among its costs.
const digest = (text: string): Uint8Array => createHash("sha256").update(text).digest();

/**
 * Compares secrets in constant time. Hashing first gives both sides one length, so neither
 * the contents nor the length of the secret leak through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  return crypto.subtle.timingSafeEqual(digest(given), expectedDigest(expected));
}

// The expected secrets are few and fixed per deployment: hash each once per isolate rather
// than on every request. Keyed by the secret itself, so a rotated secret is hashed anew.
const expectedDigests = new Map<string, Uint8Array>();

function expectedDigest(secret: string): Uint8Array {
  let hashed = expectedDigests.get(secret);
  if (hashed === undefined) {
    if (expectedDigests.size >= 16) expectedDigests.clear();
    hashed = digest(secret);
    expectedDigests.set(secret, hashed);
  }
  return hashed;
}

/** A secret or binding by the name a config gives; config names are checked, env is not. */
export function envValue(env: object, name: string): unknown {
  return Object.hasOwn(env, name) || name in env
    ? (env as Record<string, unknown>)[name]
    : undefined;
}

/** The name of a secret's second value during a rotation: `API_TOKEN_NEXT` for `API_TOKEN`. */
export const nextSecretName = (name: string): string => `${name}_NEXT`;

/**
 * The values a rotating secret accepts: its own and, while a rotation is under way, the one
 * named `<name>_NEXT`. Unset and empty values are left out, so an empty list means the secret
 * is not configured. The first value is the current one.
 */
export function rotatingSecret(env: object, name: string): string[] {
  return [name, nextSecretName(name)]
    .map((each) => envValue(env, each))
    .filter((value): value is string => typeof value === "string" && value !== "");
}

/**
 * Whether `given` equals one of `accepted`. Each is compared in constant time, and every one
 * is compared, so timing says nothing of which matched.
 */
export function matchesAny(given: string, accepted: readonly string[]): boolean {
  let matched = false;
  for (const secret of accepted) matched = secretsEqual(given, secret) || matched;
  return matched;
}

// Derived keys, by purpose and secret, made once per isolate like the digests above.
const derivedKeys = new Map<string, Promise<CryptoKey>>();

/**
 * An HMAC-SHA-256 key derived from `secret` for one `purpose` (HKDF). A key derived for one
 * purpose says nothing of the secret or of a key for another purpose, so a deployment signs
 * its own data without a secret of its own; a rotated secret derives a new key.
 */
export function derivedHmacKey(secret: string, purpose: string): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = derivedKeys.get(cacheKey);
  if (key === undefined) {
    if (derivedKeys.size >= 16) derivedKeys.clear();
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(purpose) },
          base,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign", "verify"],
        ),
      );
    derivedKeys.set(cacheKey, key);
  }
  return key;
}
