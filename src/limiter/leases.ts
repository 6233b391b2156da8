import type { AcquireResult } from "../client/types.ts";
import type { Registry } from "../config/registry.ts";
import { makeLeaseId, parseLeaseId } from "./lease-id.ts";
import { locateOrThrow } from "./locate.ts";
import type { SubjectObjects } from "./objects.ts";
import { bucketsFullReason } from "./outcome.ts";
import {
  InputError,
  namedPolicy,
  type PolicySubject,
  parseInput,
  policySubjectSchema,
} from "./request.ts";

/**
 * Concurrency leases. A lease id carries the state key it was taken under, so a release
 * reaches the right object with nothing but the id.
 */
export class Leases {
  private readonly registry: Registry;
  private readonly objects: SubjectObjects;

  constructor(registry: Registry, objects: SubjectObjects) {
    this.registry = registry;
    this.objects = objects;
  }

  /** Takes a lease of a concurrency policy. A full policy is data, not an error. */
  async acquire(input: PolicySubject): Promise<AcquireResult> {
    const request = parseInput(policySubjectSchema, input);
    const policy = namedPolicy(this.registry, request.policy);
    if (policy.limit.kind !== "concurrency") {
      throw new InputError(
        `policy "${policy.name}" is a ${policy.limit.kind} policy: leases are for concurrency policies`,
      );
    }
    const limit = policy.limit;
    const { stateKey, subjectKey, perBucket } = locateOrThrow(this.registry.app, policy, request);
    const leaseId = makeLeaseId(stateKey, crypto.randomUUID());
    if (!policy.enabled) {
      const full = { limit: limit.maxLeases, remaining: limit.maxLeases };
      return { acquired: true, leaseId, retryAfterMs: 0, ...full };
    }
    const outcome = await this.objects.acquire(subjectKey, { stateKey, limit, leaseId, perBucket });
    return {
      acquired: outcome.acquired,
      leaseId: outcome.acquired ? leaseId : undefined,
      expiresAt: outcome.expiresAtMs,
      retryAfterMs: outcome.retryAfterMs,
      limit: outcome.quota,
      remaining: outcome.remaining,
      reason: outcome.bucketsFull ? bucketsFullReason(policy) : undefined,
    };
  }

  /** Returns a lease; false when it is unknown or has already expired. */
  async release(leaseId: string): Promise<boolean> {
    const parsed = parseLeaseId(leaseId);
    if (parsed === undefined || parsed.parts.app !== this.registry.app) return false;
    const name = parsed.parts.namespace;
    const policy = this.registry.has(name) ? this.registry.get(name) : undefined;
    if (policy?.limit.kind !== "concurrency") return false;
    const item = { stateKey: parsed.stateKey, limit: policy.limit, leaseId };
    return this.objects.release(parsed.subjectKey, item);
  }
}
