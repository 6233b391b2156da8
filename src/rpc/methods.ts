import type { RateLimiterBinding } from "../client/types.ts";
import { policyList } from "../limiter/policy-list.ts";
import type { Services } from "../services.ts";
import { guard } from "./errors.ts";
import {
  checkArgument,
  leaseIdArgument,
  policySubject,
  renewArgument,
  ticketArgument,
} from "./input.ts";

const RPC = { door: "rpc" } as const;

/**
 * What the `RateLimiter` entrypoint answers, as plain functions over the services, so tests
 * call them with policies of their own. A denial is data; a caller's mistake throws an Error
 * whose message says what is wrong.
 */
export function rpcMethods({ registry, limiter }: Services): RateLimiterBinding {
  return {
    check: (input) => guard("check", () => limiter.check(checkArgument(input), RPC)),
    peek: (input) => guard("peek", () => limiter.peek(checkArgument(input))),
    refund: (ticket) => guard("refund", () => limiter.refund(ticketArgument(ticket))),
    acquire: (policy, subject) =>
      guard("acquire", () => limiter.acquire(policySubject("acquire", policy, subject), RPC)),
    release: (leaseId) => guard("release", () => limiter.release(leaseIdArgument(leaseId))),
    renew: (leaseId, ttlSeconds) =>
      guard("renew", () => limiter.renew(leaseIdArgument(leaseId), renewArgument(ttlSeconds))),
    reset: (policy, subject) =>
      guard("reset", () => limiter.reset(policySubject("reset", policy, subject))),
    policies: () => guard("policies", () => policyList(registry)),
  };
}
