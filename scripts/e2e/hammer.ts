// Concurrent clients against one subject, bounded in time, on loopback only.

export interface Tally {
  sent: number;
  admitted: number;
  denied: number;
  failed: number;
  /** What the failed requests got: a status, or the error a request threw. */
  failures: Record<string, number>;
  /** From the first request sent to the last answer received. */
  elapsedMs: number;
}

/**
 * `clients` loops, each sending `request()` until `durationMs` has passed, or until `done`
 * says so of the tally.
 */
export async function hammer(
  clients: number,
  durationMs: number,
  request: () => Promise<Response>,
  done: (tally: Tally) => boolean = () => false,
): Promise<Tally> {
  const tally: Tally = { sent: 0, admitted: 0, denied: 0, failed: 0, failures: {}, elapsedMs: 0 };
  const fail = (why: string) => {
    tally.failed++;
    tally.failures[why] = (tally.failures[why] ?? 0) + 1;
  };
  const start = performance.now();
  const deadline = start + durationMs;
  let lastAnswer = start;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && !done(tally)) {
        tally.sent++;
        try {
          const res = await request();
          await res.arrayBuffer();
          if (res.status === 200 || res.status === 201) tally.admitted++;
          else if (res.status === 429) tally.denied++;
          else fail(String(res.status));
        } catch (error) {
          fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        }
        lastAnswer = performance.now();
      }
    }),
  );
  tally.elapsedMs = lastAnswer - start;
  if (tally.failed > 0)
    console.log(`     ${tally.failed} failed: ${JSON.stringify(tally.failures)}`);
  return tally;
}

export function post(url: string, token: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}
