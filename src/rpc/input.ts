import { shown } from "../config/fields.ts";
import { MAX_RENEW_TTL_SECONDS } from "../limiter/leases.ts";
import { InputError, type PolicySubject } from "../limiter/request.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The argument of `check()` as an object. The limiter's own message speaks of a JSON body,
 * which an RPC caller never sent, so the shape is checked here first.
 */
export function checkArgument(input: unknown): Record<string, unknown> {
  if (!isRecord(input)) {
    const like = '{ policies: ["user_throttle"], user: "42" }';
    throw new InputError(`check() takes an object like ${like}, got ${shown(input)}`);
  }
  return input;
}

/** `(policy, subject)` as the one object the limiter validates; the positional policy wins. */
export function policySubject(method: string, policy: unknown, subject: unknown): PolicySubject {
  if (subject !== undefined && !isRecord(subject)) {
    const like = '{ user: "42" }';
    throw new InputError(
      `${method}(policy, subject) takes a subject object like ${like}, got ${shown(subject)}`,
    );
  }
  // Only the shape is asserted here: the limiter validates every field and names the bad one.
  return { ...subject, policy } as PolicySubject;
}

/** A lease id must be a string; a string that names no lease is `false`, not an error. */
export function leaseIdArgument(leaseId: unknown): string {
  if (typeof leaseId !== "string") {
    throw new InputError(`leaseId must be a string, got ${shown(leaseId)}`);
  }
  return leaseId;
}

/** A renewal's ttl: absent, or whole seconds; the limiter caps it at the policy's own ttl. */
export function renewArgument(ttlSeconds: unknown): { ttl?: number } {
  if (ttlSeconds === undefined) return {};
  if (!Number.isSafeInteger(ttlSeconds) || (ttlSeconds as number) < 1) {
    throw new InputError(`ttlSeconds must be a positive integer, got ${shown(ttlSeconds)}`);
  }
  return { ttl: Math.min(ttlSeconds as number, MAX_RENEW_TTL_SECONDS) };
}

/** A refund ticket must be a string; one that names nothing is an answer, not an error. */
export function ticketArgument(ticket: unknown): { ticket: string } {
  if (typeof ticket !== "string") {
    throw new InputError(`ticket must be a string (a check's refundTicket), got ${shown(ticket)}`);
  }
  return { ticket };
}
