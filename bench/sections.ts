// The report's sections 1-5, one per thing measured.
import { BARE_NAME, PEER_NAME } from "./core.ts";
import type { Measured } from "./e2e.ts";
import type { LoadResult } from "./load.ts";
import { int, pct, perSecond, table, times } from "./markdown.ts";
import type { BenchResults } from "./results.ts";

const LOAD_HEAD = ["route", "req/s", "floor req/s", "ratio", "p50 ms", "p99 ms", "answers"];

const answers = (res: LoadResult) =>
  Object.entries(res.statuses)
    .map(([code, n]) => `${int(n)} × ${code}`)
    .join(", ");

/** A scenario against the floor measured around it. */
function measuredRow(name: string, m: Measured): (string | number)[] {
  const { result: res, floorRps } = m;
  return [
    name,
    int(res.rps),
    int(floorRps),
    pct(res.rps / floorRps),
    res.p50Ms,
    res.p99Ms,
    answers(res),
  ];
}

/** Every floor run of a session, summed up in one row. */
function floorRow(name: string, runs: LoadResult[]): (string | number)[] {
  const rps = runs.map((run) => run.rps);
  const p50 = runs.map((run) => run.p50Ms);
  const p99 = runs.map((run) => run.p99Ms);
  const range = (values: number[]) => {
    const [low, high] = [int(Math.min(...values)), int(Math.max(...values))];
    return low === high ? low : `${low}–${high}`;
  };
  return [
    `${name}, ${runs.length} runs around the scenarios`,
    range(rps),
    "",
    "",
    range(p50),
    range(p99),
    "",
  ];
}

export function coreSection(r: BenchResults): string {
  const peer = r.core.find((c) => c.name === PEER_NAME)?.opsPerSec ?? Number.NaN;
  return `## 1. Core decisions in one process

One Node process, mitata. 1,000 keys round-robin, the same strings for every contender; our
states in a \`Map\`; the clock read with \`Date.now()\` per decision, as the peer does. A limit
of 1,000,000 a second per key for each, so nearly every call is admitted. The peer is awaited
per call, as its promise API is meant to be used (a denial rejects with a \`RateLimiterRes\`).

${table(
  ["contender", "decisions/s", "vs rate-limiter-flexible", "admitted"],
  r.core.map((c) => [
    c.name,
    perSecond(c.opsPerSec),
    times(c.opsPerSec / peer),
    pct(c.admittedShare),
  ]),
)}

The ${BARE_NAME.replace(" (for scale)", "")} is not a contender: it shows what the arithmetic
alone costs. \`throttleDecide\` does the same in integer units and returns a whole decision
(limit, remaining, reset, retry-after, receipt) as a new object each time.

\`windowDecide\` keeps an exact log of the admissions inside the window (at most \`limit\`
entries). Here every key is decided hundreds of times a second within a one-second window, so
each log holds hundreds of entries.`;
}

export function e2eSection(r: BenchResults): string {
  const { limiter: l, consumer: c, disk } = r;
  const t = r.timing;
  return `## 2. End to end on \`wrangler dev\`

One \`wrangler dev\` (workerd, one isolate) on 127.0.0.1, run from a temporary copy of the
project with bench policies: generous throttles, a tight one (one an hour) for the flood, and
a Telegram bot whose origin is a no-op Node server on 127.0.0.1 in its own process. State is
persisted to ${r.persistedOn}.

The floor is \`GET /healthz\` of the same worker (no token, no object). It runs for
${t.floorS} s between every two scenarios, and each scenario's ratio is to the mean of the
floor runs just before and just after it, so that drift on a shared machine cancels out.

${table(LOAD_HEAD, [
  floorRow("GET /healthz (floor)", l.floors),
  measuredRow(`POST /v1/check, allowed (${int(t.users)} users)`, l.allowed),
  measuredRow("POST /v1/check, one key flooded", l.flood),
  measuredRow("POST /v1/check, global scope (§5)", l.global),
  measuredRow("POST /telegram/bench", l.telegram),
])}

The allowed path again in its own session, with the state on this machine's disk:

${table(LOAD_HEAD, [
  floorRow("GET /healthz (floor)", disk.floors),
  measuredRow("POST /v1/check, allowed, state on disk", disk.allowed),
])}

**Telegram**: the webhook route (secret check, rules, one object call that also stores the
update's claim, then the forward) against posting the same updates straight to the origin.

${table(
  ["route", "req/s", "vs origin", "p50 ms", "p99 ms", "answers"],
  [
    [
      "POST straight to the origin",
      int(l.origin.rps),
      "100%",
      l.origin.p50Ms,
      l.origin.p99Ms,
      answers(l.origin),
    ],
    [
      "POST /telegram/bench",
      int(l.telegram.result.rps),
      pct(l.telegram.result.rps / l.origin.rps),
      l.telegram.result.p50Ms,
      l.telegram.result.p99Ms,
      answers(l.telegram.result),
    ],
  ],
)}

**Service binding**: the example consumer's \`GET /hello\` (its \`limit()\` middleware calls
\`check()\` over the binding, rotating \`X-User\` over ${int(t.users)} users) against the
consumer's own 404 path as its floor (it has no no-op route), in one \`wrangler dev\` running
both workers.

${table(LOAD_HEAD, [
  floorRow("consumer 404 (floor)", c.floors),
  measuredRow("consumer GET /hello", c.hello),
])}`;
}

export function floodSection(r: BenchResults): string {
  const e = r.limiter.economics;
  return `## 3. Flood economics

${int(e.requests)} identical checks on one fresh key (one an hour), ${r.timing.connections}
connections, with Durable Object calls counted by \`GET /v1/stats\` before and after.

${table(
  ["requests", "object calls", "denied from cache", "calls per request", "goal"],
  [
    [
      int(e.requests),
      int(e.objectCalls),
      int(e.deniedFromCache),
      `1 per ${int(e.requests / e.objectCalls)}`,
      "≤ 1 per 20",
    ],
  ],
)}

What reaches the object is the first check and those already in flight before the first
denial was cached: at most one per connection.`;
}

export function storageSection(r: BenchResults): string {
  const { admissions, denials, flood, recovery } = r.storage;
  const per = (rows: number, n: number) => (rows / n).toFixed(3);
  const objects = admissions[0]?.objects ?? 0;
  return `## 4. Storage economics

Inside workerd (\`bench/storage.bench-test.ts\`), through the worker's fetch handler with the
bundled policies, every object's clock held still so that nothing refills during the run. Rows
are counted by a wrapper around each object's storage: kv puts, kv deletes and alarms set,
each a billed row write.

${table(
  ["workload", "objects", "decisions", "rows written", "of which alarms", "rows per decision"],
  [
    ...admissions.map((w) => [
      `admissions: ${w.label}`,
      w.objects,
      int(w.admissions),
      int(w.rowsWritten),
      int(w.alarmRows),
      per(w.rowsWritten, w.admissions),
    ]),
    [
      "denials reaching the object (each with other content, so not from the cache)",
      objects,
      int(denials.checks),
      int(denials.rowsWritten),
      int(denials.alarmRows),
      per(denials.rowsWritten, denials.checks),
    ],
    [
      `flood: one denied check repeated (${flood.objectCalls} reached the object)`,
      1,
      int(flood.checks),
      int(flood.rowsWritten),
      int(flood.alarmRows),
      per(flood.rowsWritten, flood.checks),
    ],
  ],
)}

An admission writes its state: one row. The first admission of an object also arms the
object's one clean-up alarm, a billed row write, which then serves every admission until it
fires: a subject admitted once per clean-up period pays 2 rows, a busy one a little over 1.

After every object's clock was moved past recovery and its alarm run: ${recovery.rowsLeft}
rows left in ${recovery.objects} objects and ${recovery.alarmsLeft} alarms still armed (the
clean-up itself wrote ${recovery.cleanupRows} rows, its deletes).`;
}

export function hotKeySection(r: BenchResults): string {
  const allowed = r.limiter.allowed.result;
  const global = r.limiter.global.result;
  const row = (name: string, res: LoadResult) => [
    name,
    int(res.rps),
    pct(res.rps / allowed.rps),
    res.p50Ms,
    res.p99Ms,
  ];
  return `## 5. Hot keys

${table(
  ["policy", "req/s", "vs per-user", "p50 ms", "p99 ms"],
  [
    row(`per-user throttle, ${int(r.timing.users)} users rotating`, allowed),
    row("global throttle: every check on one object", global),
  ],
)}

Locally every object lives in the same workerd process and one object's calls are cheap, so a
single hot object is no bottleneck here: the ratio shows only what this one process does.
In production one Durable
Object serves about 500–1,000 requests a second (Cloudflare's soft limit is ~1,000; ~200–500
when every request writes storage), so a \`global\` policy caps the whole deployment's checks
near that, however many isolates call it. That ceiling is not visible in one local process.
No sharding is implemented.`;
}
