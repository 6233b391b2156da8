import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { envValue, secretsEqual } from "../platform/secrets.ts";

/** Sent as `__Host-limiter_session`: Secure, Path=/, no Domain, so no other host can set it. */
export const SESSION_COOKIE = "limiter_session";
/** A session lasts this long; rotating ADMIN_TOKEN ends every session at once. */
export const SESSION_SECONDS = 8 * 3600;

export interface Session {
  expiresAtMs: number;
  /** The token every form of this session carries. */
  csrf: string;
}

const encoder = new TextEncoder();

/** The admin token: a session is signed with it, so only its holder can have one. */
export function adminToken(c: Context): string {
  const token = envValue(c.env as object, "ADMIN_TOKEN");
  if (typeof token !== "string" || token === "") {
    throw new HTTPException(503, { message: "the server has no ADMIN_TOKEN configured" });
  }
  return token;
}

async function csrfToken(secret: string, nonce: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`csrf:${nonce}`));
  return btoa(String.fromCharCode(...new Uint8Array(mac)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * Signs the browser in: an HMAC-signed cookie that is `HttpOnly` (no script reads it),
 * `Secure` and `SameSite=Strict` (never sent by another site's page or form). Browsers keep
 * Secure cookies from `http://localhost` and `127.0.0.1` too, so `wrangler dev` works.
 */
export async function startSession(c: Context, nowMs: number): Promise<void> {
  const value = `${nowMs + SESSION_SECONDS * 1000}.${crypto.randomUUID()}`;
  await setSignedCookie(c, SESSION_COOKIE, value, adminToken(c), {
    prefix: "host",
    httpOnly: true,
    sameSite: "Strict",
    maxAge: SESSION_SECONDS,
  });
}

/** The session the request carries, if it is signed with the admin token and not expired. */
export async function currentSession(c: Context, nowMs: number): Promise<Session | undefined> {
  const secret = adminToken(c);
  const value = await getSignedCookie(c, secret, SESSION_COOKIE, "host");
  if (typeof value !== "string") return undefined;
  const match = /^(\d+)\.([0-9a-f-]{36})$/.exec(value);
  const expiresAtMs = Number(match?.[1]);
  if (match?.[2] === undefined || !(expiresAtMs > nowMs)) return undefined;
  return { expiresAtMs, csrf: await csrfToken(secret, match[2]) };
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, {
    prefix: "host",
    httpOnly: true,
    sameSite: "Strict",
  });
}

/** Whether a form carries its session's token (compared in constant time). */
export function csrfMatches(session: Session, given: unknown): boolean {
  return typeof given === "string" && given !== "" && secretsEqual(given, session.csrf);
}
