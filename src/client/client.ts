import {
  asError,
  DEFAULT_TIMEOUT_MS,
  type FailMode,
  isCallerMistake,
  unansweredCheck,
  within,
} from "./fail.ts";
import type { CheckInput, CheckResult, RateLimiterBinding } from "./types.ts";

export interface ClientOptions {
  /**
   * What `check` answers when the limiter throws or does not answer within `timeoutMs`:
   * `"closed"` (the default) a denial, `"open"` an admission, both marked `unavailable`; or a
   * function that chooses one of the two per failure (to log it, say). A caller's mistake (an
   * unknown policy) is never such a failure: it throws.
   */
  onError?: FailMode | ((error: Error, input: CheckInput) => FailMode);
  /** How long each call may take; default `DEFAULT_TIMEOUT_MS` (2000). */
  timeoutMs?: number;
  /**
   * Keeps work alive after the response: pass `ctx.waitUntil.bind(ctx)`. A check that answers
   * after its timeout, when the request was turned away, is refunded there.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * The binding with failure handled as its owner chose: every call gives up after
 * `timeoutMs`; `check` then answers as `onError` says instead of throwing, while the other
 * methods reject (with a TimeoutError, or the error the binding threw), since no answer of
 * theirs could stand in for the limiter's.
 *
 * @example
 * const limiter = limiterClient(env.LIMITER, { onError: "open", timeoutMs: 500 });
 * const { allowed } = await limiter.check({ policies: ["user_throttle"], user: "42" });
 */
export function limiterClient(
  binding: RateLimiterBinding,
  options: ClientOptions = {},
): RateLimiterBinding {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timed = <T>(call: () => Promise<T>) => within(Promise.resolve().then(call), timeoutMs);

  async function check(input: CheckInput): Promise<CheckResult> {
    let mode: FailMode | undefined;
    let late: CheckResult | undefined;
    // Turned away after all: what a late answer consumed goes back. Called when the answer
    // comes and when the mode is chosen, whichever is last.
    const giveBackLate = () => {
      const ticket = late?.refundTicket;
      if (mode !== "closed" || ticket === undefined) return;
      late = undefined;
      const refund = timed(() => binding.refund(ticket)).catch(() => {});
      options.waitUntil?.(refund);
    };
    try {
      return await within(
        Promise.resolve().then(() => binding.check(input)),
        timeoutMs,
        (r) => {
          late = r;
          giveBackLate();
        },
      );
    } catch (error) {
      if (isCallerMistake(error)) throw error;
      const { onError = "closed" } = options;
      mode = typeof onError === "function" ? onError(asError(error), input) : onError;
      giveBackLate();
      return unansweredCheck(mode);
    }
  }

  return {
    check,
    peek: (input) => timed(() => binding.peek(input)),
    refund: (ticket) => timed(() => binding.refund(ticket)),
    acquire: (policy, subject) => timed(() => binding.acquire(policy, subject)),
    release: (leaseId) => timed(() => binding.release(leaseId)),
    renew: (leaseId, ttlSeconds) => timed(() => binding.renew(leaseId, ttlSeconds)),
    reset: (policy, subject) => timed(() => binding.reset(policy, subject)),
    policies: () => timed(() => binding.policies()),
  };
}
