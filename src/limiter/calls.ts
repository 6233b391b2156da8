/** The limiter could not decide: an object overloaded, failing, or slower than the budget. */
export class LimiterUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimiterUnavailableError";
  }
}

interface RuntimeErrorFlags {
  overloaded?: boolean;
  retryable?: boolean;
}

const flags = (error: unknown): RuntimeErrorFlags =>
  typeof error === "object" && error !== null ? (error as RuntimeErrorFlags) : {};

/**
 * Calls a Durable Object within a time budget. The runtime marks its errors: an overloaded
 * object must not be retried (a retry only adds load), a retryable error may be retried once.
 * Callers pass `retry: false` for calls whose repetition could over-admit (refunds); every
 * other call repeated by a retry can only count twice, which errs towards denying.
 */
export async function callObject<T>(
  call: () => Promise<T>,
  options: { budgetMs: number; retry: boolean },
): Promise<T> {
  const deadline = Date.now() + options.budgetMs;
  let attempts = options.retry ? 2 : 1;
  for (;;) {
    attempts--;
    try {
      return await withDeadline(call(), deadline);
    } catch (error) {
      if (error instanceof LimiterUnavailableError) throw error;
      const { overloaded, retryable } = flags(error);
      if (overloaded) throw new LimiterUnavailableError("rate-limit object overloaded");
      if (!retryable || attempts === 0 || Date.now() >= deadline) {
        throw new LimiterUnavailableError(`rate-limit object failed: ${(error as Error).message}`);
      }
    }
  }
}

/** `promise`, or a LimiterUnavailableError at `deadline`: one timer, cleared on settling. */
function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new LimiterUnavailableError("rate-limit object did not answer in time")),
      Math.max(0, deadline - Date.now()),
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
