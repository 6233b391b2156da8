import type { Policy } from "../config/policy.ts";
import { canonicalKey, type KeyParts, subjectKey } from "../core/keys.ts";
import { type Identity, resolveScope } from "../core/scopes.ts";
import { InputError } from "./request.ts";

export type Located =
  | {
      ok: true;
      /** The policy's state on this subject: its key inside the object. */
      stateKey: string;
      /** The object that holds it: `app:SCOPE:ids`. */
      subjectKey: string;
      parts: Pick<KeyParts, "app" | "scope" | "ids">;
    }
  | { ok: false; missing: (keyof Identity)[] };

/** Where a policy counts a request, or which identities it lacks to count it at all. */
export function locate(app: string, policy: Policy, identity: Identity): Located {
  const resolved = resolveScope(policy.scope, identity, policy.ipv6Prefix);
  if (!resolved.ok) return { ok: false, missing: resolved.missing };
  const parts = { app, scope: resolved.scope, ids: resolved.ids };
  const stateKey = canonicalKey({
    ...parts,
    namespace: policy.name,
    method: policy.method,
    bucket: policy.bucket,
  });
  return { ok: true, stateKey, subjectKey: subjectKey(parts), parts };
}

/** For a call that names one policy (a lease, a reset): a scope it cannot meet is an error. */
export function locateOrThrow(app: string, policy: Policy, identity: Identity) {
  const located = locate(app, policy, identity);
  if (!located.ok) {
    const needs = located.missing.join(" and ");
    throw new InputError(`policy "${policy.name}" has scope ${policy.scope} and needs ${needs}`);
  }
  return located;
}
