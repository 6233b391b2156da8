// Base64url without padding (RFC 4648 §5): ids and tokens that travel in URLs and JSON.

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function bytesToBase64Url(bytes: Uint8Array): string {
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
