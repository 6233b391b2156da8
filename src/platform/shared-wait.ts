// Requests of one isolate share work (a grant in flight, a rules fetch), and the runtime has
// two things to say about a request that waits for work another request started:
// - it takes the waiter for hung, and cancels it ("the Workers runtime canceled this request
//   because it detected that your Worker's code had hung"), once nothing of the waiter's own
//   is pending: the other request's I/O does not count, a timer of the waiter's own does;
// - if the request that started the work is cancelled, its I/O never settles.

export type SharedOutcome<T> = { settled: true; value: T } | { settled: false };

/**
 * Waits for `shared`, started by another request, with a timer of this request's own, at
 * most `abandonedAfterMs`: by then the work's own deadline has passed, so an unsettled
 * promise belongs to a request that is gone. A rejection is thrown here as it would be there.
 */
export async function waitForShared<T>(
  shared: Promise<T>,
  abandonedAfterMs: number,
): Promise<SharedOutcome<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const abandoned = new Promise<SharedOutcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), abandonedAfterMs);
  });
  try {
    return await Promise.race([
      shared.then((value): SharedOutcome<T> => ({ settled: true, value })),
      abandoned,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Past a call's budget, the margin after which a waiter takes the work for abandoned. */
export const ABANDONED_MARGIN_MS = 250;
