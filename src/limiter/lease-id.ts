import { type KeyParts, parseCanonicalKey, subjectKey } from "../core/keys.ts";

// A lease id carries the canonical key it was taken under, so a release reaches the right
// object with nothing but the id; the random part makes it unguessable.
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function toBase64Url(text: string): string {
  const bytes = encoder.encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string | undefined {
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

export function makeLeaseId(stateKey: string, random: string): string {
  return `${toBase64Url(stateKey)}.${random}`;
}

const LEASE_ID = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9-]{8,64})$/;

/** The state a lease was taken under and the object holding it, or undefined for a forgery. */
export function parseLeaseId(
  leaseId: string,
): { stateKey: string; subjectKey: string; parts: KeyParts } | undefined {
  const match = LEASE_ID.exec(leaseId);
  const stateKey = match?.[1] === undefined ? undefined : fromBase64Url(match[1]);
  const parts = stateKey === undefined ? undefined : parseCanonicalKey(stateKey);
  return stateKey && parts ? { stateKey, subjectKey: subjectKey(parts), parts } : undefined;
}
