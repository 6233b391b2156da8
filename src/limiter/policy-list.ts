import type { Policy } from "../config/policy.ts";
import type { Registry } from "../config/registry.ts";
import { quotaOf } from "../core/limits.ts";

export type ListedPolicy = Policy & { quota: number; windowSeconds: number };

export interface PolicyList {
  app: string;
  policies: ListedPolicy[];
}

/** The bundled policies as `GET /v1/policies` and the RPC `policies()` both report them. */
export function policyList(registry: Registry): PolicyList {
  return {
    app: registry.app,
    policies: registry.list().map((policy) => ({ ...policy, ...quotaOf(policy.limit) })),
  };
}
