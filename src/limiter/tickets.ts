import type { CheckLimit, Receipt } from "../core/limits.ts";
import {
  base64UrlToBytes,
  base64UrlToText,
  bytesToBase64Url,
  textToBase64Url,
} from "../platform/base64url.ts";
import { derivedHmacKey } from "../platform/secrets.ts";

// Refund tickets: what a check consumed, handed to its caller and signed, so a refund needs
// no storage at admission. Only a refund writes (its once-only mark), and only the worker can
// make a ticket: a forged or altered one fails its signature and names nothing.

/** How long a ticket can be redeemed: a request, its retries and a job finishing fit in it. */
export const REFUND_TICKET_TTL_MS = 3600 * 1000;

/** Longer than any ticket the worker makes (16 policies of the longest keys). */
export const MAX_TICKET_LENGTH = 16 * 1024;

const PURPOSE = "edge-limiter refund ticket v1";
const VERSION = 1;
const encoder = new TextEncoder();

/** One policy's consumption: its state, the limit it was decided under, its receipt. */
export type TicketItem = [stateKey: string, limit: CheckLimit, receipt: Receipt];

export interface TicketBody {
  /** Random: names the ticket's once-only mark. */
  id: string;
  /** Epoch milliseconds from which the ticket is refused. */
  expiresAtMs: number;
  items: TicketItem[];
}

/** `<body>.<signature>`, both base64url; the signature is HMAC-SHA-256 of the body's text. */
export async function signTicket(body: TicketBody, secret: string): Promise<string> {
  const payload = textToBase64Url(JSON.stringify({ v: VERSION, ...body }));
  const key = await derivedHmacKey(secret, PURPOSE);
  const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(payload));
  return `${payload}.${bytesToBase64Url(new Uint8Array(signature))}`;
}

/**
 * The body of a ticket this worker signed with one of `secrets`, or undefined for anything
 * else. Expiry is the caller's to judge, by its own clock.
 */
export async function openTicket(
  ticket: string,
  secrets: readonly string[],
): Promise<TicketBody | undefined> {
  if (ticket.length > MAX_TICKET_LENGTH) return undefined;
  const [payload, signatureText, ...rest] = ticket.split(".");
  if (payload === undefined || signatureText === undefined || rest.length > 0) return undefined;
  const signature = base64UrlToBytes(signatureText);
  if (signature?.length !== 32) return undefined;
  let signed = false;
  for (const secret of secrets) {
    const key = await derivedHmacKey(secret, PURPOSE);
    // verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", key, signature, encoder.encode(payload))) signed = true;
  }
  if (!signed) return undefined;
  return bodyOf(base64UrlToText(payload));
}

/** The fields of a signed body, checked: a body of another version names nothing. */
function bodyOf(text: string | undefined): TicketBody | undefined {
  if (text === undefined) return undefined;
  const body = JSON.parse(text) as Partial<TicketBody> & { v?: unknown };
  if (body.v !== VERSION || typeof body.id !== "string") return undefined;
  if (typeof body.expiresAtMs !== "number" || !Array.isArray(body.items)) return undefined;
  return { id: body.id, expiresAtMs: body.expiresAtMs, items: body.items };
}
