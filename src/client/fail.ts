import type { CheckResult } from "./types.ts";

// How a consumer fails when the limiter cannot be reached: its own choice, made here, for the
// middleware and the client alike. Self-contained: nothing of the limiter is imported.

/** `open` lets the request through unchecked; `closed` turns it away (503). */
export type FailMode = "open" | "closed";

/**
 * How long a consumer waits for the limiter by default. Longer than the limiter's own budget
 * (`limiter.budgetMs`, 1000 ms by default), so a limiter that is merely slow answers first
 * with its own `failMode`; what does not answer in 2 s (a deploy under way, a Worker that
 * hangs) is given up on, and `onError` decides.
 */
export const DEFAULT_TIMEOUT_MS = 2000;

/**
 * A caller's mistake (an unknown policy, a bad id): the limiter throws those as TypeErrors,
 * and they never fail open, or a typo would switch a limit off unnoticed.
 */
export const isCallerMistake = (error: unknown): boolean => error instanceof TypeError;

export function timeoutError(timeoutMs: number): Error {
  const error = new Error(`the limiter did not answer within ${timeoutMs} ms`);
  error.name = "TimeoutError";
  return error;
}

/**
 * `call`, or a TimeoutError after `timeoutMs`. An answer that comes later goes to `late`, so
 * what it consumed can be given back; the call itself cannot be taken back once sent.
 */
export function within<T>(call: Promise<T>, timeoutMs: number, late?: (value: T) => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(timeoutError(timeoutMs));
    }, timeoutMs);
  });
  const settled = call.then(
    (value) => {
      if (timedOut) late?.(value);
      return value;
    },
    (error: unknown) => {
      if (timedOut) return undefined as never;
      throw error;
    },
  );
  return Promise.race([settled, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

/** What a check answers when the limiter could not be asked: no policy was counted. */
export function unansweredCheck(mode: FailMode): CheckResult {
  return mode === "open"
    ? { allowed: true, retryAfterMs: 0, unavailable: true, policies: [] }
    : { allowed: false, retryAfterMs: 1000, unavailable: true, policies: [] };
}

/** The error as an Error: over RPC anything may be thrown. */
export const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));
