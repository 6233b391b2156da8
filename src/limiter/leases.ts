import { z } from "zod";
import type { AcquireResult, RenewResult } from "../client/types.ts";
import { integer } from "../config/fields.ts";
import type { Registry } from "../config/registry.ts";
import type { ConcurrencyLimit } from "../core/concurrency.ts";
import { parseFields } from "./fields.ts";
import { makeLeaseId, parseLeaseId } from "./lease-id.ts";
import { locateOrThrow } from "./locate.ts";
import type { SubjectObjects } from "./objects.ts";
import {
  InputError,
  namedPolicy,
  type PolicySubject,
  parseInput,
  policySubjectSchema,
} from "./request.ts";

/** The longest `ttl` a renewal may ask for; the policy's own `ttl` caps it further. */
export const MAX_RENEW_TTL_SECONDS = 86_400;

const renewSchema = z.strictObject({ ttl: integer(1, MAX_RENEW_TTL_SECONDS).optional() });

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
    const { stateKey, subjectKey } = locateOrThrow(this.registry.app, policy, request);
    const leaseId = makeLeaseId(stateKey, crypto.randomUUID());
    if (!policy.enabled) {
      const full = { limit: limit.maxLeases, remaining: limit.maxLeases };
      return { acquired: true, leaseId, retryAfterMs: 0, ...full };
    }
    const outcome = await this.objects.acquire(subjectKey, { stateKey, limit, leaseId });
    return {
      acquired: outcome.acquired,
      leaseId: outcome.acquired ? leaseId : undefined,
      expiresAt: outcome.expiresAtMs,
      retryAfterMs: outcome.retryAfterMs,
      limit: outcome.quota,
      remaining: outcome.remaining,
    };
  }

  /** Returns a lease; false when it is unknown or has already expired. */
  async release(leaseId: string): Promise<boolean> {
    const lease = this.held(leaseId);
    return lease !== undefined && this.objects.release(lease.subjectKey, lease.item);
  }

  /**
   * Extends a live lease to `ttl` seconds from now (`{ ttl? }`), at most its policy's `ttl`,
   * never shortening it; false when it is unknown, released or expired.
   */
  async renew(leaseId: string, input: unknown): Promise<RenewResult | false> {
    const { ttl } = parseFields(renewSchema, input, ["ttl"]);
    const lease = this.held(leaseId);
    if (lease === undefined) return false;
    const ttlSeconds = Math.min(ttl ?? lease.limit.ttlSeconds, lease.limit.ttlSeconds);
    // A disabled policy stores no lease, and admits every job: a heartbeat must not stop one.
    if (!lease.enabled) return { expiresAt: Date.now() + ttlSeconds * 1000 };
    const expiresAt = await this.objects.renew(lease.subjectKey, lease.item, ttlSeconds);
    return expiresAt === undefined ? false : { expiresAt };
  }

  /** The lease an id names, if it names one this deployment could have issued. */
  private held(leaseId: string) {
    const parsed = parseLeaseId(leaseId);
    if (parsed === undefined || parsed.parts.app !== this.registry.app) return undefined;
    const name = parsed.parts.namespace;
    const policy = this.registry.has(name) ? this.registry.get(name) : undefined;
    if (policy?.limit.kind !== "concurrency") return undefined;
    const limit: ConcurrencyLimit = policy.limit;
    const item = { stateKey: parsed.stateKey, limit, leaseId };
    return { subjectKey: parsed.subjectKey, item, limit, enabled: policy.enabled };
  }
}
