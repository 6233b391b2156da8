import type { RuleIdentity } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";
import { KEY_SEPARATOR } from "../core/keys.ts";
import { type Identity, resolveScope } from "../core/scopes.ts";

/**
 * The subject a policy counted a check under, as its object's key names it without the app:
 * `USER:42`, `GROUP:42:-1001`, `IP:2001-db8-1-2--/64`, `KEY:tenant-7`, `GLOBAL`. Undefined
 * when the check lacked the scope's ids (the policy was skipped).
 */
export function subjectId(policy: Policy, identity: Identity): string | undefined {
  const resolved = resolveScope(policy.scope, identity, policy.ipv6Prefix);
  if (!resolved.ok) return undefined;
  return [resolved.scope.toUpperCase(), ...resolved.ids].join(KEY_SEPARATOR);
}

/**
 * The identity a rule names to reach a subject: its ids, and an IPv6 network as a CIDR
 * prefix. `GLOBAL` (everyone) has none, and neither has an id this code did not make.
 */
export function subjectIdentity(id: string): RuleIdentity | undefined {
  const [scope, first, second, ...rest] = id.split(KEY_SEPARATOR);
  if (rest.length > 0 || first === undefined || first === "") return undefined;
  if (scope === "GROUP") return second === undefined ? undefined : { user: first, chat: second };
  if (second !== undefined) return undefined;
  if (scope === "USER") return { user: first };
  if (scope === "CHAT") return { chat: first };
  if (scope === "KEY") return { key: first };
  // Key segments spell an IPv6 network with "-" for ":" (core/ip.ts).
  if (scope === "IP") return { ip: first.replaceAll("-", ":") };
  return undefined;
}
