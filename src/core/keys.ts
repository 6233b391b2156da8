import type { Scope } from "./scopes.ts";

export const KEY_SEPARATOR = ":";
export const MAX_IDENTIFIER_LENGTH = 128;

// Control characters and the separator are refused so that keys stay printable and
// parseable, and so that two different inputs can never build the same key.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const FORBIDDEN = /[:\u0000-\u001f\u007f]/;

/** Why an identifier is unusable, or undefined when it is fine. */
export function identifierProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > MAX_IDENTIFIER_LENGTH) {
    return `must be at most ${MAX_IDENTIFIER_LENGTH} characters, got ${value.length}`;
  }
  if (FORBIDDEN.test(value)) return `must not contain "${KEY_SEPARATOR}" or control characters`;
  return undefined;
}

export interface KeyParts {
  app: string;
  /** The policy name: each policy counts in its own namespace. */
  namespace: string;
  scope: Scope;
  ids: readonly string[];
  method?: string | undefined;
  /** The policy's own bucket, fixed in its config. */
  bucket?: string | undefined;
  /** The bucket a request named, for a policy that takes one per request. */
  requestBucket?: string | undefined;
}

/**
 * The subject key picks the Durable Object: `app:SCOPE:ids`. Every policy on one subject
 * lands on one object, which is what lets a multi-policy check be decided atomically.
 */
export function subjectKey(parts: Pick<KeyParts, "app" | "scope" | "ids">): string {
  return [parts.app, parts.scope.toUpperCase(), ...parts.ids].join(KEY_SEPARATOR);
}

function segmentsOf(parts: KeyParts): string[] {
  const segments = [parts.app, parts.namespace, parts.scope.toUpperCase(), ...parts.ids];
  if (parts.method !== undefined) segments.push(`m=${parts.method}`);
  if (parts.bucket !== undefined) segments.push(`b=${parts.bucket}`);
  if (parts.requestBucket !== undefined) segments.push(`r=${parts.requestBucket}`);
  return segments;
}

/**
 * The canonical key `app:namespace:SCOPE:id1[:id2][:m=method][:b=bucket][:r=requestBucket]`.
 * The scope fixes how many ids follow, the optional parts come in a fixed order each under a
 * marker of its own, and no part may hold the separator, so the key is injective. Parts
 * come validated (ids where a request enters, names when the config loads), so this runs
 * on every check without checking them again.
 */
export function canonicalKey(parts: KeyParts): string {
  return segmentsOf(parts).join(KEY_SEPARATOR);
}

const IDS_PER_SCOPE: Record<Scope, number> = {
  user: 1,
  chat: 1,
  group: 2,
  global: 0,
  ip: 1,
  key: 1,
};

/** Inverse of `canonicalKey`, for keys that travel back to us (lease ids). */
export function parseCanonicalKey(key: string): KeyParts | undefined {
  const [app, namespace, scopeText, ...rest] = key.split(KEY_SEPARATOR);
  const scope = scopeText?.toLowerCase() as Scope | undefined;
  if (app === undefined || namespace === undefined || scope === undefined) return undefined;
  const count = IDS_PER_SCOPE[scope];
  if (count === undefined || rest.length < count) return undefined;
  const parts: KeyParts = { app, namespace, scope, ids: rest.slice(0, count) };
  // Each optional part at most once and in key order; the round trip below enforces both.
  for (const extra of rest.slice(count)) {
    const value = extra.slice(2);
    if (extra.startsWith("m=") && parts.method === undefined) parts.method = value;
    else if (extra.startsWith("b=") && parts.bucket === undefined) parts.bucket = value;
    else if (extra.startsWith("r=") && parts.requestBucket === undefined) {
      parts.requestBucket = value;
    } else return undefined;
  }
  // A key that travelled back to us is untrusted: every part must be a valid identifier,
  // and so must the value under each marker.
  const values = [parts.method, parts.bucket, parts.requestBucket].filter((v) => v !== undefined);
  if ([...segmentsOf(parts), ...values].some((part) => identifierProblem(part) !== undefined)) {
    return undefined;
  }
  return canonicalKey(parts) === key ? parts : undefined;
}
