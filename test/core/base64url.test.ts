import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64UrlToBytes, bytesToBase64Url } from "../../src/platform/base64url.ts";

/** RFC 4648 §5 without padding, spelled out: what the runtime's encoder must agree with. */
function byHand(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

describe("base64url", () => {
  it("encodes as RFC 4648 §5 without padding, and decodes back (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = bytesToBase64Url(bytes);
        expect(text).toBe(byHand(bytes));
        expect(base64UrlToBytes(text)).toEqual(bytes);
      }),
    );
  });
});
