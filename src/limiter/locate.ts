import type { Policy } from "../config/policy.ts";
import { DEFAULT_MAX_BUCKETS } from "../config/policy-schema.ts";
import { canonicalKey, type KeyParts, subjectKey } from "../core/keys.ts";
import { type Identity, resolveScope } from "../core/scopes.ts";
import type { PerBucket } from "./protocol.ts";
import { InputError } from "./request.ts";

/** Who a call is about, and the bucket it names for policies that take one per request. */
export interface Target extends Identity {
  bucket?: string | undefined;
}

/** What a policy needs of a call to count it: its scope's identities, and maybe a bucket. */
export type Needed = keyof Identity | "bucket";

export type Located =
  | {
      ok: true;
      /** The policy's state on this subject (in its bucket): its key inside the object. */
      stateKey: string;
      /** The object that holds it: `app:SCOPE:ids`. */
      subjectKey: string;
      parts: Pick<KeyParts, "app" | "scope" | "ids">;
      /** For a policy that counts per bucket: its buckets on this subject, and their bound. */
      perBucket?: PerBucket | undefined;
    }
  | { ok: false; missing: Needed[] };

/**
 * Where a policy counts a request, or what it lacks to count it at all. A policy with
 * `perRequestBucket` counts in the bucket the request names, beside the subject's other
 * states in the subject's object, so a check stays all or nothing.
 */
export function locate(app: string, policy: Policy, target: Target): Located {
  const resolved = resolveScope(policy.scope, target, policy.ipv6Prefix);
  const needsBucket = policy.perRequestBucket === true && target.bucket === undefined;
  if (!resolved.ok || needsBucket) {
    const missing: Needed[] = resolved.ok ? [] : [...resolved.missing];
    if (needsBucket) missing.push("bucket");
    return { ok: false, missing };
  }
  const parts = { app, scope: resolved.scope, ids: resolved.ids };
  const policyKey = {
    ...parts,
    namespace: policy.name,
    method: policy.method,
    bucket: policy.bucket,
  };
  if (!policy.perRequestBucket) {
    return { ok: true, stateKey: canonicalKey(policyKey), subjectKey: subjectKey(parts), parts };
  }
  return {
    ok: true,
    stateKey: canonicalKey({ ...policyKey, requestBucket: target.bucket }),
    subjectKey: subjectKey(parts),
    parts,
    perBucket: {
      familyKey: canonicalKey(policyKey),
      maxBuckets: policy.maxBuckets ?? DEFAULT_MAX_BUCKETS,
    },
  };
}

/** A bucket given to a call none of whose policies take one is the caller's mistake. */
export function assertBucketTaken(policies: readonly Policy[], bucket: string | undefined): void {
  if (bucket === undefined || policies.some((policy) => policy.perRequestBucket)) return;
  const names = policies.map((policy) => policy.name).join(", ");
  throw new InputError(
    `bucket is given, but no policy of this call takes one (${names}): only a policy with ` +
      `"perRequestBucket": true counts per bucket`,
  );
}

/** For a call that names one policy (a lease, a reset): what it cannot meet is an error. */
export function locateOrThrow(app: string, policy: Policy, target: Target) {
  assertBucketTaken([policy], target.bucket);
  const located = locate(app, policy, target);
  if (!located.ok) {
    const needs = located.missing.join(" and ");
    const takes = policy.perRequestBucket ? ", counts per bucket," : "";
    throw new InputError(
      `policy "${policy.name}" has scope ${policy.scope}${takes} and needs ${needs}`,
    );
  }
  return located;
}
