import type { ListedPolicy, PolicyLimit, PolicyList, Scope } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";
import type { Registry } from "../config/registry.ts";
import { type Limit, quotaOf } from "../core/limits.ts";
import type { Scope as CoreScope } from "../core/scopes.ts";

// The client states the scopes on its own, to stay self-contained; this keeps the two equal.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const scopesAgree: Same<Scope, CoreScope> = true;
void scopesAgree;

/** The public shape of a limit: decoupled from the internal one, which may change. */
function publicLimit(limit: Limit): PolicyLimit {
  switch (limit.kind) {
    case "throttle":
    case "debounce":
      return { ...limit };
    case "window":
      return { kind: "window", limit: limit.maxCost, windowSeconds: limit.windowSeconds };
    case "concurrency":
      return { kind: "concurrency", limit: limit.maxLeases, ttlSeconds: limit.ttlSeconds };
  }
}

function listed(policy: Policy): ListedPolicy {
  return { ...policy, limit: publicLimit(policy.limit), ...quotaOf(policy.limit) };
}

/** The policies as `GET /v1/policies` and the RPC `policies()` both report them. */
export function policyList(registry: Registry): PolicyList {
  return {
    app: registry.app,
    environment: registry.environment ?? null,
    policies: registry.list().map(listed),
  };
}
