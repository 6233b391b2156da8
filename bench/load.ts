// One load run with autocannon's programmatic API: throughput, latency and status counts.
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** A fixed body, or one made per request (e.g. a new user or update_id each time). */
  body?: string | (() => string);
  /** Extra headers made per request, merged over `headers`. */
  perRequestHeaders?: () => Record<string, string>;
  /** The status most answers must have, or the run fails: it did not do what it says. */
  expectStatus: number;
  connections: number;
  /** Seconds; ignored when `amount` is given. */
  durationS: number;
  /** Stop after this many requests instead of after `durationS`. */
  amount?: number;
}

export interface LoadResult {
  /** Answers per second over the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  answers: number;
  /** Status code -> count; connection errors and timeouts apart. */
  statuses: Record<string, number>;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const { body, perRequestHeaders } = spec;
  const dynamic = typeof body === "function" || perRequestHeaders !== undefined;
  const result = await autocannon({
    url: spec.url,
    method: spec.method ?? "GET",
    headers: spec.headers,
    body: typeof body === "string" ? body : undefined,
    connections: spec.connections,
    duration: spec.durationS,
    amount: spec.amount,
    requests: dynamic
      ? [
          {
            setupRequest: (request) => ({
              ...request,
              body: typeof body === "function" ? body() : request.body,
              headers: { ...request.headers, ...perRequestHeaders?.() },
            }),
          },
        ]
      : undefined,
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[code] = count ?? 0;
  }
  const answers = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  if (!((statuses[spec.expectStatus] ?? 0) > answers / 2)) {
    throw new Error(
      `${spec.method ?? "GET"} ${spec.url}: expected mostly ${spec.expectStatus}, got ` +
        `${JSON.stringify(statuses)} and ${result.errors} connection errors`,
    );
  }
  return {
    rps: answers / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    answers,
    statuses,
  };
}
