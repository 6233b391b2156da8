import { type KeyParts, parseCanonicalKey, subjectKey } from "../core/keys.ts";
import { base64UrlToText, textToBase64Url } from "../platform/base64url.ts";

// A lease id carries the canonical key it was taken under, so a release reaches the right
// object with nothing but the id; the random part makes it unguessable.
export function makeLeaseId(stateKey: string, random: string): string {
  return `${textToBase64Url(stateKey)}.${random}`;
}

const LEASE_ID = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9-]{8,64})$/;

/** The state a lease was taken under and the object holding it, or undefined for a forgery. */
export function parseLeaseId(
  leaseId: string,
): { stateKey: string; subjectKey: string; parts: KeyParts } | undefined {
  const match = LEASE_ID.exec(leaseId);
  const stateKey = match?.[1] === undefined ? undefined : base64UrlToText(match[1]);
  const parts = stateKey === undefined ? undefined : parseCanonicalKey(stateKey);
  return stateKey && parts ? { stateKey, subjectKey: subjectKey(parts), parts } : undefined;
}
