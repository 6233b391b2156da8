// Concurrent clients against one subject, bounded in time, on loopback only.

export interface Tally {
  sent: number;
  admitted: number;
  denied: number;
  failed: number;
  /** From the first request sent to the last answer received. */
  elapsedMs: number;
}

/** `clients` loops, each sending `request()` until `durationMs` has passed. */
export async function hammer(
  clients: number,
  durationMs: number,
  request: () => Promise<Response>,
): Promise<Tally> {
  const tally: Tally = { sent: 0, admitted: 0, denied: 0, failed: 0, elapsedMs: 0 };
  const start = performance.now();
  const deadline = start + durationMs;
  let lastAnswer = start;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        tally.sent++;
        try {
          const res = await request();
          await res.arrayBuffer();
          if (res.status === 200 || res.status === 201) tally.admitted++;
          else if (res.status === 429) tally.denied++;
          else tally.failed++;
        } catch {
          tally.failed++;
        }
        lastAnswer = performance.now();
      }
    }),
  );
  tally.elapsedMs = lastAnswer - start;
  return tally;
}

export function post(url: string, token: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}
