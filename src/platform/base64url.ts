// Base64url without padding (RFC 4648 §5): ids and tokens that travel in URLs and JSON.

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

type ToBase64 = (this: Uint8Array, options: { alphabet: "base64url"; omitPadding: true }) => string;
/** The runtime's own encoder (workerd has it; Node 22 does not): no string built per byte. */
const nativeToBase64 = (Uint8Array.prototype as { toBase64?: ToBase64 }).toBase64;
const BASE64URL = { alphabet: "base64url", omitPadding: true } as const;

export function bytesToBase64Url(bytes: Uint8Array): string {
  if (nativeToBase64 !== undefined) return nativeToBase64.call(bytes, BASE64URL);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes `text` encodes, or undefined when it is not base64url. */
export function base64UrlToBytes(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export const textToBase64Url = (text: string): string => bytesToBase64Url(encoder.encode(text));

/** The UTF-8 text `encoded` holds, or undefined when it is not base64url of UTF-8. */
export function base64UrlToText(encoded: string): string | undefined {
  const bytes = base64UrlToBytes(encoded);
  if (bytes === undefined) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
