import type { CheckResult } from "../client/types.ts";
import { hash53 } from "../core/hash.ts";

// How the limiter files checks in its memory of recent denials (core/denial-cache.ts says
// why answering from it is sound).

/** Per isolate: at most this many denials are remembered (each one check result). */
export const MAX_CACHED_DENIALS = 10_000;

/** Checks that share this key would be decided by the same states with the same content. */
export function denialKey(
  stateKeys: string[],
  fingerprint: string | undefined,
): string | undefined {
  if (stateKeys.length === 0) return undefined;
  return `${stateKeys.join("|")}#${fingerprint === undefined ? "" : hash53(fingerprint)}`;
}

/** A cached denial as it stands `remainingMs` before it lapses. */
export function aged(result: CheckResult, remainingMs: number): CheckResult {
  const elapsedMs = result.retryAfterMs - remainingMs;
  return {
    ...result,
    retryAfterMs: remainingMs,
    policies: result.policies.map((p) => ({
      ...p,
      retryAfterMs: Math.max(0, p.retryAfterMs - elapsedMs),
      resetMs: Math.max(0, p.resetMs - elapsedMs),
    })),
  };
}
