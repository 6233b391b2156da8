// Part 5: what a million checks cost, from what the benchmarks counted (object calls, rows,
// the model's object time) at Cloudflare's published rates, beside Upstash's price for the
// same checks with @upstash/ratelimit.
//
// Prices (USD, marginal: monthly included amounts left out):
// - Workers Paid, Standard: $0.30 per million requests; CPU time is billed apart ($0.02 per
//   million CPU-ms) and not counted here (developers.cloudflare.com/workers/platform/pricing,
//   the same table in /workflows/reference/pricing).
// - Durable Objects (developers.cloudflare.com/durable-objects/platform/pricing): $0.15 per
//   million requests, each RPC method call on a stub one request and each alarm invocation
//   one; duration $12.50 per million GB-s, wall-clock time while the object is active (an
//   idle object that may hibernate is not billed), at 128 MB; SQLite rows written $1.00 per
//   million (rows read, $0.001 per million, left out).
// - Upstash Redis pay as you go: $0.20 per 100,000 commands (upstash.com/pricing/redis).
//   @upstash/ratelimit's own table of commands per `limit()` (upstash.com/docs/redis/sdks/
//   ratelimit-ts/costs, regional database, no analytics, no deny list): token bucket 4 when
//   admitted (EVAL, HMGET, HMSET, PEXPIRE), 2 when rate-limited and not in its in-memory
//   cache (EVAL, HMGET), 0 from the cache; sliding window 4 when admitted (EVAL, GET, GET,
//   INCR; 5 the first time), 3 rate-limited, 0 from the cache.
import type { Goal } from "./goal.ts";
import type { ModelResult, ModelRun } from "./model-types.ts";
import { PRODUCTION } from "./model-types.ts";
import { reservationResult } from "./reservations.ts";
import type { StorageResult } from "./storage.ts";

export const PRICES = {
  workerRequestsPerMillion: 0.3,
  objectRequestsPerMillion: 0.15,
  rowsWrittenPerMillion: 1.0,
  gbSecondsPerMillion: 12.5,
  objectMemoryGb: 0.128,
  upstashPer100kCommands: 0.2,
} as const;

const UPSTASH_ADMITTED = 4;
const UPSTASH_DENIED_MISS = 2;

/** Per check, what one scenario costs in billed units. */
export interface CostRow {
  scenario: string;
  workerRequests: number;
  objectRequests: number;
  rowsWritten: number;
  /** Object time billed as duration, per check. */
  activeMs: number;
  upstashCommands: number;
  /** Where the figures come from. */
  source: string;
}

export interface CostResult {
  rows: CostRow[];
}

export interface CostInputs {
  storage: StorageResult;
  model: ModelResult;
  /** Worker requests per check: 1 over HTTP (the lead's runs may measure it otherwise). */
  workerRequestsPerCheck?: number;
}

/**
 * Object time of calls measured outside the model (the storage run), by the model's service
 * times: a call that writes holds the object `writeCallMs` and its answer `flushMs` more.
 */
function modelledActiveMs(calls: number, writingCalls: number): number {
  const plain = Math.max(0, calls - writingCalls);
  return plain * PRODUCTION.callMs + writingCalls * (PRODUCTION.writeCallMs + PRODUCTION.flushMs);
}

type Admissions = StorageResult["admissions"][number];

/**
 * A storage-run row, per admission. Each clean-up alarm set later fires once (a billed
 * request, a little object time) and deletes what it cleans up (about a row).
 */
function fromAdmissions(scenario: string, w: Admissions, workerRequests: number): CostRow {
  const kvRows = w.rowsWritten - w.alarmRows;
  // A call writes its rows in one transaction: calls that wrote, at most one per row.
  const writingCalls = Math.min(w.objectCalls, kvRows);
  return {
    scenario,
    workerRequests,
    objectRequests: (w.objectCalls + w.alarmRows) / w.admissions,
    rowsWritten: (w.rowsWritten + w.alarmRows) / w.admissions,
    activeMs:
      modelledActiveMs(w.objectCalls + w.alarmRows, writingCalls + w.alarmRows) / w.admissions,
    upstashCommands: UPSTASH_ADMITTED,
    source: "storage run",
  };
}

function fromModel(scenario: string, r: ModelRun, workerRequests: number): CostRow {
  const denied = r.checks - r.admitted;
  return {
    scenario,
    workerRequests,
    objectRequests: r.objectCalls / r.checks,
    rowsWritten: r.rowsWritten / r.checks,
    activeMs: r.objectActiveMs / r.checks,
    // Upstash has no leases: each check is a script call; a denial of a refilling bucket is
    // cached only until its reset, milliseconds away, so taken as a cache miss.
    upstashCommands: (r.admitted * UPSTASH_ADMITTED + denied * UPSTASH_DENIED_MISS) / r.checks,
    source: "production model",
  };
}

export function costResult(inputs: CostInputs): CostResult {
  const worker = inputs.workerRequestsPerCheck ?? 1;
  const { storage, model } = inputs;
  const perUser = storage.admissions.find((w) => w.policy === "storage_throttle");
  const keyed = reservationResult(storage);
  const { flood } = storage;
  const leased = model.runs.find((r) => r.lease && r.checks > r.allowance);
  const rows: CostRow[] = [];
  if (perUser)
    rows.push(fromAdmissions("5 a minute per user, each check admitted", perUser, worker));
  rows.push(
    fromAdmissions("1,000 a minute per key, below its limit", keyed.belowLimit, worker),
    fromAdmissions("1,000 a minute per key, drained", keyed.drained, worker),
    {
      scenario: "a flooded key (denial cache)",
      workerRequests: worker,
      objectRequests: flood.objectCalls / flood.checks,
      rowsWritten: flood.rowsWritten / flood.checks,
      activeMs: modelledActiveMs(flood.objectCalls, 0) / flood.checks,
      // Upstash's cache holds a denial until its reset too: its first check is a miss.
      upstashCommands: (flood.objectCalls * UPSTASH_DENIED_MISS) / flood.checks,
      source: "storage run",
    },
  );
  if (leased) rows.push(fromModel(`\`global\`, ${leased.label}`, leased, worker));
  return { rows };
}

/** USD per million checks, by what is billed. */
export function priceOf(row: CostRow) {
  const p = PRICES;
  const gbSeconds = (row.activeMs / 1000) * p.objectMemoryGb;
  const worker = row.workerRequests * p.workerRequestsPerMillion;
  const objects =
    row.objectRequests * p.objectRequestsPerMillion +
    row.rowsWritten * p.rowsWrittenPerMillion +
    gbSeconds * p.gbSecondsPerMillion;
  const upstash = row.upstashCommands * (p.upstashPer100kCommands * 10);
  return { gbSeconds, worker, objects, total: worker + objects, upstash };
}

/** Measures what the costs rest on: the storage run and the production model. */
export async function runCost(quick: boolean, workerRequestsPerCheck = 1): Promise<CostResult> {
  const { runStorage } = await import("./storage.ts");
  const { runModel } = await import("./model.ts");
  const storage = await runStorage(quick);
  const model = await runModel(quick);
  return costResult({ storage, model, workerRequestsPerCheck });
}

const usd = (n: number) =>
  n > 0 && n < 0.0001 ? "< $0.0001" : `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
const num = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(3));

export function costSection(c: CostResult): string {
  const million = 1_000_000;
  const lines = c.rows.map((row) => {
    const price = priceOf(row);
    return `| ${row.scenario} | ${num(row.workerRequests * million)} | ${num(row.objectRequests * million)} | ${num(row.rowsWritten * million)} | ${num(price.gbSeconds * million)} | ${usd(price.worker)} | ${usd(price.objects)} | ${usd(price.total)} | ${num(row.upstashCommands * million)} | ${usd(price.upstash)} | ${row.source} |`;
  });
  return `## 8. What a million checks cost

From what the runs counted: object calls and rows written (the storage run: rows counted at
each object's storage; the production model: calls and rows of the hot object), and object
time billed as duration. Prices are Cloudflare's published marginal rates (Workers requests
$0.30/M, object requests $0.15/M including each RPC call and each alarm, rows written
$1.00/M, duration $12.50 per million GB-s at 128 MB) and Upstash's pay-as-you-go $0.20 per
100,000 commands, with @upstash/ratelimit's published command counts per \`limit()\` (4 when
admitted, 2 when denied outside its cache, 0 from its cache). Monthly included amounts and
Workers CPU time ($0.02 per million CPU-ms) are left out; Upstash's column is the limiter's
own commands only, the Worker that calls it is billed either way.

**Object time is a model**: an object is billed while it serves a call or waits for its write
to be durable. Measured in the production model where it applies; for the storage run's
rows, ${PRODUCTION.callMs} ms per call that writes nothing and ${PRODUCTION.writeCallMs + PRODUCTION.flushMs} ms per call that writes (${PRODUCTION.writeCallMs} ms served,
${PRODUCTION.flushMs} ms for the output gate), the same assumptions. Each clean-up alarm set is taken to
fire once and delete about one row.

| per million checks | Worker requests | object requests | rows written | object GB-s | Workers $ | objects $ | total $ | Upstash commands | Upstash $ | from |
|---|---|---|---|---|---|---|---|---|---|---|
${lines.join("\n")}
`;
}

export function costGoals(c: CostResult): Goal[] {
  return c.rows.map((row): Goal => {
    const price = priceOf(row);
    return [
      `8. price per million checks, ${row.scenario}`,
      `${usd(price.total)} (objects ${usd(price.objects)}; Upstash ${usd(price.upstash)})`,
      "reported",
      undefined,
    ];
  });
}
