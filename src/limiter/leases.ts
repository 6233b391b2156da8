import { z } from "zod";
import type { AcquireResult, RenewResult } from "../client/types.ts";
import { integer } from "../config/fields.ts";
import { MAX_LEASES } from "../config/policy-schema.ts";
import type { Registry } from "../config/registry.ts";
import type { ConcurrencyLimit } from "../core/concurrency.ts";
import { parseFields } from "./fields.ts";
import type { InForce } from "./in-force.ts";
import { makeLeaseId, parseLeaseId } from "./lease-id.ts";
import { locateOrThrow, type Target } from "./locate.ts";
import type { SubjectObjects } from "./objects.ts";
import { bucketsFullReason } from "./outcome.ts";
import { InputError } from "./request.ts";

/** A policy's concurrency limit: leases are for concurrency policies only. */
export function concurrencyLimit(policy: InForce): ConcurrencyLimit {
  if (policy.limit.kind !== "concurrency") {
    throw new InputError(
      `policy "${policy.name}" is a ${policy.limit.kind} policy: leases are for concurrency policies`,
    );
  }
  return policy.limit;
}

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
  async acquire(policy: InForce, identity: Target): Promise<AcquireResult> {
    const limit = concurrencyLimit(policy);
    const { stateKey, subjectKey, perBucket } = locateOrThrow(this.registry.app, policy, identity);
    const leaseId = makeLeaseId(stateKey, crypto.randomUUID());
    // A policy switched off or lifted by an override still keeps its leases, counted against
    // the most any policy allows, so they count again once the limit is back.
    const lifted = !policy.enabled || policy.unlimited === true;
    const counted = lifted ? { ...limit, maxLeases: MAX_LEASES } : limit;
    const item = { stateKey, limit: counted, leaseId, perBucket };
    const outcome = await this.objects.acquire(subjectKey, item);
    const held = counted.maxLeases - outcome.remaining;
    return {
      acquired: outcome.acquired,
      leaseId: outcome.acquired ? leaseId : undefined,
      expiresAt: outcome.expiresAtMs,
      retryAfterMs: outcome.retryAfterMs,
      limit: limit.maxLeases,
      remaining: Math.max(0, limit.maxLeases - held),
      reason: outcome.bucketsFull ? bucketsFullReason(policy) : undefined,
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
    return { subjectKey: parsed.subjectKey, item, limit };
  }
}
