import { DEFAULT_IPV6_PREFIX } from "../core/ip.ts";
import type { Limit } from "../core/limits.ts";
import type { Scope } from "../core/scopes.ts";
import { DEFAULT_MAX_BUCKETS, type ParsedPolicy } from "./policy-schema.ts";

/** A validated policy, normalised to one shape per kind whatever spelling the file used. */
export interface Policy {
  name: string;
  limit: Limit;
  scope: Scope;
  /** Bits of an IPv6 address an ip-scoped policy counts by (core/ip.ts). */
  ipv6Prefix: number;
  method?: string | undefined;
  bucket?: string | undefined;
  /** Each check names a bucket, counted apart within the subject. Absent: false. */
  perRequestBucket?: boolean | undefined;
  /** With perRequestBucket: the most buckets live at once per subject. */
  maxBuckets?: number | undefined;
  /** A throttle whose tokens isolates take in batches and spend locally (limiter/grants.ts). */
  lease?: boolean | undefined;
  enabled: boolean;
  mode: "enforce" | "shadow";
  description?: string | undefined;
}

export function limitOf(parsed: ParsedPolicy): Limit {
  switch (parsed.kind) {
    case "throttle":
      if (parsed.capacity !== undefined && parsed.refillPerMinute !== undefined) {
        return {
          kind: "throttle",
          capacity: parsed.capacity,
          refillTokens: parsed.refillPerMinute,
          refillSeconds: 60,
        };
      }
      return {
        kind: "throttle",
        capacity: parsed.burst ?? (parsed.rate as number),
        refillTokens: parsed.rate as number,
        refillSeconds: parsed.per as number,
      };
    case "debounce":
      return { kind: "debounce", windowSeconds: parsed.window };
    case "window":
      return { kind: "window", maxCost: parsed.limit, windowSeconds: parsed.window };
    case "concurrency":
      return { kind: "concurrency", maxLeases: parsed.limit, ttlSeconds: parsed.ttl };
  }
}

export function toPolicy(name: string, parsed: ParsedPolicy): Policy {
  return {
    name,
    limit: limitOf(parsed),
    scope: parsed.scope,
    ipv6Prefix: parsed.ipv6Prefix ?? DEFAULT_IPV6_PREFIX,
    method: parsed.method,
    bucket: parsed.bucket,
    perRequestBucket: parsed.perRequestBucket,
    maxBuckets: parsed.perRequestBucket ? (parsed.maxBuckets ?? DEFAULT_MAX_BUCKETS) : undefined,
    lease: parsed.kind === "throttle" && parsed.lease ? true : undefined,
    enabled: parsed.enabled,
    mode: parsed.mode,
    description: parsed.description,
  };
}
