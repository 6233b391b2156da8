import type { PolicyList } from "../client/types.ts";
import type { Registry } from "../config/registry.ts";
import { quotaOf } from "../core/limits.ts";

/** The bundled policies as `GET /v1/policies` and the RPC `policies()` both report them. */
export function policyList(registry: Registry): PolicyList {
  return {
    app: registry.app,
    policies: registry.list().map((policy) => ({ ...policy, ...quotaOf(policy.limit) })),
  };
}
