/**
 * Scopes say whose requests a policy counts together.
 *
 * A policy's `scope` is a cap: the broadest subject it may count over. Containment:
 *
 *     global ⊃ chat ⊃ group        global ⊃ user ⊃ group        global ⊃ ip        global ⊃ key
 *
 * `group` is one user within one chat. Resolution picks the broadest scope within the cap
 * whose identifiers the request carries, which is the cap itself; scopes narrower than a
 * cap need a superset of its identifiers, so when the cap's identifiers are missing no
 * narrower scope can be met either, and the policy is skipped. It is never widened, so a
 * per-user limit can never become one bucket shared by everyone.
 *
 * Why not aiogram-sentinel's "most specific scope within the cap": with a user and a chat
 * known (every group message), that rule resolves every cap to the narrowest scope, so a
 * chat-wide or global limit could never be expressed, and its order (USER > CHAT > GROUP)
 * makes user-within-chat unreachable. Here each of the five is reachable by naming it.
 */
import { ipNetworkId } from "./ip.ts";

export const SCOPES = ["user", "chat", "group", "global", "ip", "key"] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The identities a request carries. Each is already validated: `ip` is a canonical address
 * (core/ip.ts), the others identifiers.
 */
export interface Identity {
  user?: string;
  chat?: string;
  ip?: string;
  key?: string;
}

/** The identifiers a scope needs, in key order. */
const NEEDS: Record<Scope, readonly (keyof Identity)[]> = {
  user: ["user"],
  chat: ["chat"],
  group: ["user", "chat"],
  global: [],
  ip: ["ip"],
  key: ["key"],
};

export type Resolution =
  | { ok: true; scope: Scope; ids: string[] }
  | { ok: false; scope: Scope; missing: (keyof Identity)[] };

/**
 * Resolves a policy's scope cap against what the request carries. The ids are key segments:
 * an address counts as its network (`ipv6Prefix` bits for IPv6).
 */
export function resolveScope(cap: Scope, identity: Identity, ipv6Prefix: number): Resolution {
  const needs = NEEDS[cap];
  const missing = needs.filter((field) => identity[field] === undefined);
  if (missing.length > 0) return { ok: false, scope: cap, missing };
  const ids = needs.map((field) =>
    field === "ip" ? ipNetworkId(identity.ip as string, ipv6Prefix) : (identity[field] as string),
  );
  return { ok: true, scope: cap, ids };
}
