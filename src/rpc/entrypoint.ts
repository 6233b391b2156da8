import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  AcquireResult,
  BucketedSubject,
  CheckInput,
  CheckResult,
  PolicyList,
  RateLimiterBinding,
  RefundResult,
  RenewResult,
} from "../client/types.ts";
import type { Services } from "../services.ts";
import { rpcMethods } from "./methods.ts";

/**
 * The limiter for other Workers of the account, over a service binding:
 * `[[services]] binding = "LIMITER", service = "edge-limiter", entrypoint = "RateLimiter"`.
 * The same decisions as the HTTP API, with no token: a binding is private to the account.
 *
 * Every prototype method of the class is callable over RPC, so it holds nothing else.
 */
export function rateLimiterEntrypoint(services: Services) {
  const methods = rpcMethods(services);
  return class RateLimiter extends WorkerEntrypoint<Env> implements RateLimiterBinding {
    /** Decides a check, as `POST /v1/check` does; `allowed: false` when denied. */
    check(input: CheckInput): Promise<CheckResult> {
      return methods.check(input);
    }

    /** What `check(input)` would decide now, consuming and writing nothing. */
    peek(input: CheckInput): Promise<CheckResult> {
      return methods.peek(input);
    }

    /** Gives back what the check that issued `ticket` consumed, at most once. */
    refund(ticket: string): Promise<RefundResult> {
      return methods.refund(ticket);
    }

    /** Takes a lease of a concurrency policy; `acquired: false` when every slot is taken. */
    acquire(policy: string, subject?: BucketedSubject): Promise<AcquireResult> {
      return methods.acquire(policy, subject);
    }

    /** Returns a lease; false when it is unknown, already released or expired. */
    release(leaseId: string): Promise<boolean> {
      return methods.release(leaseId);
    }

    /** Extends a live lease, at most the policy's `ttl` from now; false when it is gone. */
    renew(leaseId: string, ttlSeconds?: number): Promise<RenewResult | false> {
      return methods.renew(leaseId, ttlSeconds);
    }

    /** Forgets one subject's state for one policy (in one bucket, for a per-bucket policy). */
    reset(policy: string, subject?: BucketedSubject): Promise<{ key: string }> {
      return methods.reset(policy, subject);
    }

    /** The policies, as `GET /v1/policies` lists them. */
    policies(): Promise<PolicyList> {
      return methods.policies();
    }
  };
}
