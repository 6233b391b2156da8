import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  AuditEntry,
  BlockInput,
  BlockRule,
  MetricsReport,
  OverrideInput,
  OverrideRule,
  RateLimiterAdminBinding,
} from "../client/types.ts";
import { InputError } from "../limiter/request.ts";
import type { Services } from "../services.ts";
import { guard } from "./errors.ts";

/** The admin methods over the services, as plain functions, so tests call them directly. */
export function rpcAdminMethods({ rules, metrics }: Services): RateLimiterAdminBinding {
  return {
    block: (input) => guard("block", () => rules.block(input, "rpc")),
    unblock: (id) => guard("unblock", () => rules.unblock(id, "rpc")),
    blocks: () => guard("blocks", () => rules.blocks()),
    setOverride: (policy, input) =>
      guard("setOverride", () => rules.setOverride(policy, input, "rpc")),
    removeOverride: (id) => guard("removeOverride", () => rules.removeOverride(id, "rpc")),
    overrides: () => guard("overrides", () => rules.overrides()),
    audit: (limit) => guard("audit", () => rules.audit(limit)),
    metrics: (minutes) =>
      guard("metrics", () => {
        if (metrics === undefined) {
          throw new InputError("metrics are turned off (METRICS_ENABLED=false)");
        }
        // The same bounds as `?minutes=` over HTTP, which arrives as text.
        return metrics.report(minutes === undefined ? undefined : String(minutes));
      }),
  };
}

/**
 * The runtime rules for other Workers of the account. A second entrypoint, so a Worker gets
 * admin rights only when it is bound to this one explicitly:
 * `[[services]] binding = "LIMITER_ADMIN", service = "edge-limiter", entrypoint = "RateLimiterAdmin"`.
 */
export function rateLimiterAdminEntrypoint(services: Services) {
  const methods = rpcAdminMethods(services);
  return class RateLimiterAdmin extends WorkerEntrypoint<Env> implements RateLimiterAdminBinding {
    block(input: BlockInput): Promise<BlockRule> {
      return methods.block(input);
    }
    unblock(id: string): Promise<boolean> {
      return methods.unblock(id);
    }
    blocks(): Promise<BlockRule[]> {
      return methods.blocks();
    }
    setOverride(policy: string, input: OverrideInput): Promise<OverrideRule> {
      return methods.setOverride(policy, input);
    }
    removeOverride(id: string): Promise<boolean> {
      return methods.removeOverride(id);
    }
    overrides(): Promise<OverrideRule[]> {
      return methods.overrides();
    }
    audit(limit?: number): Promise<AuditEntry[]> {
      return methods.audit(limit);
    }
    metrics(minutes?: number): Promise<MetricsReport> {
      return methods.metrics(minutes);
    }
  };
}
