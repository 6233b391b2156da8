import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  AcquireResult,
  CheckInput,
  CheckResult,
  PolicyList,
  RateLimiterBinding,
  SubjectIds,
} from "../client/types.ts";
import { registry } from "../config/bundled.ts";
import { Limiter } from "../limiter/client.ts";
import { policyList } from "../limiter/policy-list.ts";
import { guard } from "./errors.ts";
import { checkArgument, leaseIdArgument, policySubject } from "./input.ts";

/**
 * The limiter for other Workers of the account, over a service binding:
 * `[[services]] binding = "LIMITER", service = "edge-limiter", entrypoint = "RateLimiter"`.
 * The same decisions as the HTTP API, with no token: a binding is private to the account.
 * A denial is data; a caller's mistake throws an Error whose message says what is wrong.
 *
 * Every prototype method here is callable over RPC, so helpers stay outside the class.
 */
export class RateLimiter extends WorkerEntrypoint<Env> implements RateLimiterBinding {
  /** Decides a check, as `POST /v1/check` does; `allowed: false` when denied. */
  check(input: CheckInput): Promise<CheckResult> {
    return guard("check", () => limiter(this.env).check(checkArgument(input)));
  }

  /** Takes a lease of a concurrency policy; `acquired: false` when every slot is taken. */
  acquire(policy: string, subject?: SubjectIds): Promise<AcquireResult> {
    return guard("acquire", () =>
      limiter(this.env).acquire(policySubject("acquire", policy, subject)),
    );
  }

  /** Returns a lease; false when it is unknown, already released or expired. */
  release(leaseId: string): Promise<boolean> {
    return guard("release", () => limiter(this.env).release(leaseIdArgument(leaseId)));
  }

  /** Forgets one subject's state for one policy. */
  reset(policy: string, subject?: SubjectIds): Promise<{ key: string }> {
    return guard("reset", () => limiter(this.env).reset(policySubject("reset", policy, subject)));
  }

  /** The bundled policies, as `GET /v1/policies` lists them. */
  policies(): Promise<PolicyList> {
    return guard("policies", () => policyList(registry));
  }
}

function limiter(env: Env): Limiter {
  return new Limiter(env.LIMITER, registry);
}
