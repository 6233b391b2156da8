// Renders BENCHMARKS.md from one run's results: every figure beside the ratio it is judged by.
import { BARE_NAME, type CoreResult, PEER_NAME } from "./core.ts";
import { costGoals, costResult, costSection } from "./cost.ts";
import type { LimiterResults, Measured, Session, Timing } from "./e2e.ts";
import type { GatewayResults } from "./gateway.ts";
import type { Goal } from "./goal.ts";
import type { LoadResult } from "./load.ts";
import type { Machine } from "./machine.ts";
import type { MemoryResult } from "./memory.ts";
import type { MetricsCost } from "./metrics.ts";
import type { ModelResult } from "./model.ts";
import { modelGoals, modelSection } from "./model-report.ts";
import { STORAGE_KEY_POLICY as RESERVING_POLICY } from "./policies-storage.ts";
import { reservationGoals, reservationResult, reservationSection } from "./reservations.ts";
import { type FloorName, type FloorResults, floorRatio } from "./runtime-floors.ts";
import type { StorageResult } from "./storage.ts";

export interface BenchResults {
  quick: boolean;
  seconds: number;
  machine: Machine;
  timing: Timing;
  /** Whether the main sessions kept their state on tmpfs rather than on disk. */
  stateOnTmpfs: boolean;
  core: CoreResult[];
  storage: StorageResult;
  /** Hot keys on a simulated clock, behind objects modelled as production's. */
  model: ModelResult;
  limiter: LimiterResults;
  /** The bare Workers of bench/floors, in passes before and after the limiter's scenarios. */
  floors: FloorResults;
  gateway: GatewayResults;
  /** The allowed path again, with the state on this machine's disk. */
  disk: Session<"allowed">;
  /** The allowed path with metrics off and on, in alternating rounds. */
  metrics: MetricsCost;
  metricsMemory: MemoryResult;
  consumer: Session<"hello">;
}

type Cell = string | number;

function table(header: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (ratio: number) => `${(100 * ratio).toFixed(0)}%`;
const times = (ratio: number) => `${ratio.toFixed(2)}×`;
const perSecond = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${int(n)}/s`);
const toFloor = (m: Measured) => m.result.rps / m.floorRps;
const opsOf = (r: BenchResults, name: string) =>
  r.core.find((c) => c.name === name)?.opsPerSec ?? Number.NaN;

const FLOOR_LABELS: Record<FloorName, string> = {
  object: "one object call and one kv.put",
  ratelimit: "ratelimits binding limit()",
  forward: "forward of the update to the origin",
};

export function goals(r: BenchResults): Goal[] {
  const { measured: m, economics } = r.limiter;
  const peer = opsOf(r, PEER_NAME);
  const allowed = toFloor(m.allowed);
  const telegram = toFloor(m.telegram) / floorRatio(r.floors, "forward");
  const callsPerRequest = economics.objectCalls / economics.requests;
  const { denials, recovery } = r.storage;
  return [
    ...["throttleDecide", "windowDecide"].map((name): Goal => {
      const ratio = opsOf(r, name) / peer;
      return [`1. ${name} decisions/s vs rate-limiter-flexible`, times(ratio), "≥ 3×", ratio >= 3];
    }),
    ["2. POST /v1/check allowed vs GET /healthz", pct(allowed), "≥ 70%", allowed >= 0.7],
    ...(["object", "ratelimit"] as const).map((name): Goal => {
      const ratio = allowed / floorRatio(r.floors, name);
      return [
        `2. that ratio vs a bare Worker's ${FLOOR_LABELS[name]} to its no-op route`,
        times(ratio),
        "≥ 0.85×",
        ratio >= 0.85,
      ];
    }),
    [
      "2. POST /v1/check, one key flooded (denial cache), vs GET /healthz",
      pct(toFloor(m.flood)),
      "≥ 88%",
      toFloor(m.flood) >= 0.88,
    ],
    [
      "2. POST /v1/check, a disabled policy (no object call), vs GET /healthz",
      pct(toFloor(m.disabled)),
      "none set (reported)",
    ],
    [
      "2. Telegram webhook route's ratio to GET /healthz vs a bare forwarder's to its no-op",
      pct(telegram),
      "≥ 80%",
      telegram >= 0.8,
    ],
    [
      "6. POST /v1/check allowed, metrics on vs off (median of alternating rounds)",
      pct(r.metrics.ratio),
      "≥ 95%",
      r.metrics.ratio >= 0.95,
    ],
    [
      "2. consumer GET /hello (check() over the binding) vs the consumer's 404 path",
      pct(toFloor(r.consumer.measured.hello)),
      "none set (reported)",
    ],
    [
      `3. object calls per client request, ${int(economics.requests)} requests on one key`,
      `1 per ${int(1 / callsPerRequest)}`,
      "≤ 1 per 20",
      callsPerRequest <= 1 / 20,
    ],
    // The reserving throttle's rows are judged by its own, stricter goal below.
    ...r.storage.admissions
      .filter((w) => w.policy !== RESERVING_POLICY)
      .map((w): Goal => {
        // A row per admission, and the object's one clean-up alarm, whatever it admits.
        const ratio = w.rowsWritten / w.admissions;
        const most = (w.admissions + w.objects) / w.admissions;
        return [
          `4. rows per admission, ${w.label}`,
          ratio.toFixed(3),
          `≤ 1, and 1 alarm per object (${most.toFixed(3)})`,
          ratio <= most,
        ];
      }),
    [
      "4. rows per denial that reaches the object",
      (denials.rowsWritten / denials.checks).toFixed(3),
      "0",
      denials.rowsWritten === 0,
    ],
    [
      "4. rows left once every subject has recovered",
      String(recovery.rowsLeft),
      "0",
      recovery.rowsLeft === 0,
    ],
    [
      "6. Bot API gateway: sendMessage through it vs straight to the fake Bot API",
      pct(r.gateway.sendThrough.rps / r.gateway.sendDirect.rps),
      "none set (reported)",
    ],
    [
      "5. hot key: global scope vs per-user (rotating users), local runtime",
      pct(m.global.result.rps / m.allowed.result.rps),
      "none set (reported)",
    ],
    ...reservationGoals(reservationResult(r.storage)),
    ...modelGoals(r.model),
    ...costGoals(costOf(r)),
  ];
}

/** Worker requests are one per check in every workload priced: each check is a request. */
const costOf = (r: BenchResults) => costResult({ storage: r.storage, model: r.model });

function header(r: BenchResults): string {
  const { machine: m, timing: t } = r;
  const command = r.quick ? "npm run bench -- --quick" : "npm run bench";
  const quickNote = r.quick
    ? "\n\n**A quick run**: its timings are too short to mean anything; it only shows that " +
      "every scenario gives numbers."
    : "";
  return `# Benchmarks

Written by \`${command}\` on ${m.date}, in ${int(r.seconds)} s.${quickNote}

Every comparison is a ratio of two numbers measured in this one run, seconds apart: absolute
numbers drift from run to run on a shared machine, and are shown only beside the ratios. The
benchmarks run with policies of their own (\`bench/policies.ts\`), never the shipped
\`policies.json\`.

## Machine and versions

${table(
  ["", ""],
  [
    ["cores", m.cores],
    ["CPU", m.cpu],
    ["memory", `${m.memoryGiB} GiB`],
    ["OS", m.kernel],
    ["commit", m.commit],
    ...Object.entries(m.versions),
  ],
)}

## Reproduce

\`\`\`sh
npm install
npm run bench              # full run, about 7 minutes; rewrites BENCHMARKS.md
npm run bench -- --quick   # about 2 minutes, for CI: fails unless every scenario gives numbers;
                           # its report goes to the temp directory, never here
npx vitest run -c bench/vitest.storage.config.ts   # the storage run (§4) alone
\`\`\`

Load: autocannon's API, ${t.connections} connections, ${t.durationS} s per scenario after a
${t.warmupS} s warm-up, 127.0.0.1 only. Core: mitata. The code is in \`bench/\`.

## Goals

${table(
  ["what", "measured", "goal", ""],
  goals(r).map(([what, measured, goal, met]) => [
    what,
    measured,
    goal,
    met === undefined ? "n/a" : met ? "met" : "**not met**",
  ]),
)}`;
}

function coreSection(r: BenchResults): string {
  const peer = opsOf(r, PEER_NAME);
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

const LOAD_HEAD = ["route", "req/s", "floor req/s", "ratio", "p50 ms", "p99 ms", "answers"];

const answers = (res: LoadResult) =>
  Object.entries(res.statuses)
    .map(([code, n]) => `${int(n)} × ${code}`)
    .join(", ");

/** A scenario against the floor measured around it. */
function measuredRow(name: string, { result: res, floorRps }: Measured): Cell[] {
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
function floorRow(name: string, runs: LoadResult[]): Cell[] {
  const range = (values: number[]) => {
    const [low, high] = [int(Math.min(...values)), int(Math.max(...values))];
    return low === high ? low : `${low}–${high}`;
  };
  return [
    `${name}, ${runs.length} runs around the scenarios`,
    range(runs.map((run) => run.rps)),
    "",
    "",
    range(runs.map((run) => run.p50Ms)),
    range(runs.map((run) => run.p99Ms)),
    "",
  ];
}

function e2eSection(r: BenchResults): string {
  const { limiter: l, consumer: c, disk, timing: t } = r;
  const { allowed, flood, global, telegram } = l.measured;
  const persisted = r.stateOnTmpfs
    ? "tmpfs (/dev/shm), so that this VM's disk flushes are not what is measured; a session " +
      "of its own, below, runs the allowed path with the state on disk"
    : "the temp directory";
  return `## 2. End to end on \`wrangler dev\`

One \`wrangler dev\` (workerd, one isolate) on 127.0.0.1, run from a temporary copy of the
project with the bench policies: generous throttles, a tight one (one an hour) for the flood,
and a Telegram bot whose origin is a no-op Node server on 127.0.0.1 in its own process. State
is persisted to ${persisted}.

The floor is \`GET /healthz\` of the same worker (no token, no object). It runs for
${t.floorS} s between every two scenarios, and each scenario's ratio is to the mean of the
floor runs just before and just after it, so that drift on a shared machine cancels out.

${table(LOAD_HEAD, [
  floorRow("GET /healthz (floor)", l.floors),
  measuredRow(`POST /v1/check, allowed (${int(t.users)} users)`, allowed),
  measuredRow("POST /v1/check, one key flooded", flood),
  measuredRow("POST /v1/check, a disabled policy (no object call)", l.measured.disabled),
  measuredRow("POST /v1/check, global scope (§5)", global),
  measuredRow("POST /telegram/bench", telegram),
])}

${floorsPart(r)}

The allowed path again in its own session, with the state on this machine's disk:

${table(LOAD_HEAD, [
  floorRow("GET /healthz (floor)", disk.floors),
  measuredRow("POST /v1/check, allowed, state on disk", disk.measured.allowed),
])}

**Telegram**: the webhook route (secret check, rules, one object call that also stores the
update's claim, then the forward) against posting the same updates straight to the origin.
Every route of the worker goes through \`wrangler dev\`'s proxy, even the floor, which ran at
${pct(l.floors.reduce((sum, f) => sum + f.rps, 0) / l.floors.length / l.origin.rps)} of the
origin.

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
      int(telegram.result.rps),
      pct(telegram.result.rps / l.origin.rps),
      telegram.result.p50Ms,
      telegram.result.p99Ms,
      answers(telegram.result),
    ],
  ],
)}

**Service binding**: the example consumer's \`GET /hello\` (its \`limit()\` middleware calls
\`check()\` over the binding, rotating \`X-User\` over ${int(t.users)} users) against the
consumer's own 404 path as its floor (it has no no-op route), in one \`wrangler dev\` running
both workers.

${table(LOAD_HEAD, [
  floorRow("consumer 404 (floor)", c.floors),
  measuredRow("consumer GET /hello", c.measured.hello),
])}`;
}

/** The bare Workers of bench/floors, and our routes' ratios set beside theirs. */
function floorsPart(r: BenchResults): string {
  const { floors: f, limiter: l } = r;
  const pass = (when: string, p: FloorResults["before"]) => [
    floorRow(`floors GET /noop (floor), ${when}`, p.noop),
    ...(Object.keys(FLOOR_LABELS) as FloorName[]).map((name) =>
      measuredRow(`${FLOOR_LABELS[name]}, ${when}`, p.measured[name]),
    ),
  ];
  const compare = (ours: string, measured: Measured, name: FloorName): Cell[] => {
    const floor = floorRatio(f, name);
    return [
      ours,
      pct(toFloor(measured)),
      FLOOR_LABELS[name],
      pct(floor),
      times(toFloor(measured) / floor),
    ];
  };
  return `**The runtime's floors**: bare Workers (\`bench/floors/\`) doing what our routes do and
nothing else, each against its own no-op route: one object call whose method makes one
\`ctx.storage.kv.put\` (SQLite-backed, one object per user, ${int(r.timing.users)} users
rotating), Cloudflare's own \`[[ratelimits]]\` binding as \`wrangler dev\` simulates it (the
peer a user would pick instead), and the webhook body forwarded to the same origin as our
Telegram route. \`wrangler dev\` serves only its first config over HTTP, so they run in a
second \`wrangler dev\`, up at the same time as the limiter's, in one pass before the
scenarios above and one after; a floor's ratio is the mean of its two passes.

${table(LOAD_HEAD, [...pass("before", f.before), ...pass("after", f.after)])}

${table(
  ["our route", "its ratio to /healthz", "floor", "floor's ratio to its no-op", "ours vs floor"],
  [
    compare("POST /v1/check, allowed", l.measured.allowed, "object"),
    compare("POST /v1/check, allowed", l.measured.allowed, "ratelimit"),
    compare("POST /telegram/bench", l.measured.telegram, "forward"),
  ],
)}

Where these fall short of their goals, and why. In this run the bare object call with one
\`kv.put\` ran at ${pct(floorRatio(f, "object"))} of its own no-op route and the ratelimits
binding at ${pct(floorRatio(f, "ratelimit"))}, while our allowed check ran at
${pct(toFloor(l.measured.allowed))} of \`/healthz\`: the share a route loses by making one call is
the runtime's, before anything it does besides. A CPU profile of a route under load
(\`node bench/profile.ts allowed\`) shows where the rest goes: \`wrangler dev\`'s proxy, a
second workerd that every request passes, the no-op routes' included; then, in our worker,
the token check, zod and the plan before the call, and the object's decision, its alarm and
the refund ticket around it, none of them one hot spot since the ones it showed were removed.
The Telegram route does more than the bare forwarder: the secret check, rules, and one
object call that stores the update's claim (duplicate detection needs that row) before the
same forward, so it is measured against a floor that makes no object call at all.`;
}

function metricsSection(r: BenchResults): string {
  const { metrics, metricsMemory: m, timing: t } = r;
  const kib = (bytes: number) => `${int(bytes / 1024)} KiB`;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `## 6. What counting decisions costs

The allowed path of §2 (${int(t.users)} users, ${t.connections} connections) on two
\`wrangler dev\` sessions up at once, one with metrics turned off
(\`--var METRICS_ENABLED:false\`) and one with them on (the default), measured in alternating
rounds, so that a machine whose speed drifts slows both alike. With metrics on, the allowed
path ran at **${pct(metrics.ratio)}** of its speed with them off (the median round; goal: at
least 95%).

${table(
  ["round", "metrics off, req/s", "metrics on, req/s", "on / off"],
  metrics.rounds.map((round, i) => [
    i + 1,
    int(round.off.rps),
    int(round.on.rps),
    pct(round.on.rps / round.off.rps),
  ]),
)}

The rounds are ratios of runs taken seconds apart, and the median of them is the figure; on
a machine other work shares, single rounds still swing either way. What counting adds to a
check can also be measured without the network: the recorder's work for one admitted check
(\`bench/metrics.ts\`, mitata, in Node) takes **${int(metrics.nsPerCheck)} ns** of CPU. A check
only adds to counters in its isolate's memory; the isolate sends them to the metrics object in
the background at most every 5 s, so no check waits for an object call of its own.

**Memory per isolate** (\`bench/memory.ts\`, measured on the V8 heap): one Space-Saving sketch
of a policy's limited subjects in one minute holds at most 100 subjects, ${kib(m.sketchBytes)}
when every id is as long as an id can be (\`GROUP:\` and two 128-character ids) and
${kib(m.typicalSketchBytes)} with ids like Telegram users'. What an isolate counts between two
flushes (at most two minutes' worth) for ${m.policies} policies asked at all three doors,
every sketch full of the longest ids: ${mib(m.tallyBytes)}; with the unsent batches it keeps
while the metrics object cannot be reached (at most 10,000 rows and subjects, or one such
batch): ${mib(m.boundBytes)} at most. A deployment with fewer policies, or fewer limited
subjects, keeps proportionally less.`;
}

function floodSection(r: BenchResults): string {
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

function storageSection(r: BenchResults): string {
  const { admissions, denials, flood, recovery } = r.storage;
  const per = (rows: number, n: number) => (rows / n).toFixed(3);
  return `## 4. Storage economics

Inside workerd (\`bench/storage.bench-test.ts\`), through the worker's fetch handler with the
bench policies, every object's clock held still so that nothing refills during the run. Rows
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
      admissions[0]?.objects ?? 0,
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

A throttle stores ahead a twentieth of its bucket per write (at least one token), so
\`storage_throttle\`'s bucket of 5 writes each admission, and \`storage_key\`'s of 1,000 about
every 50th (below); a window writes each admission. The first admission of an object also arms
the object's one clean-up alarm, a billed row write, which then serves every admission until
it fires.

After every object's clock was moved past recovery and its alarm run: ${recovery.rowsLeft}
rows left in ${recovery.objects} objects and ${recovery.alarmsLeft} alarms still armed (the
clean-up itself wrote ${recovery.cleanupRows} rows, its deletes).`;
}

function hotKeySection(r: BenchResults): string {
  const { allowed, global } = r.limiter.measured;
  const row = (name: string, res: LoadResult) => [
    name,
    int(res.rps),
    pct(res.rps / allowed.result.rps),
    res.p50Ms,
    res.p99Ms,
  ];
  return `## 5. Hot keys

${table(
  ["policy", "req/s", "vs per-user", "p50 ms", "p99 ms"],
  [
    row(`per-user throttle, ${int(r.timing.users)} users rotating`, allowed.result),
    row("global throttle: every check on one object", global.result),
  ],
)}

Locally every object lives in the same workerd process and one object's calls are cheap, so a
single hot object is no bottleneck here: the ratio shows only what this one process does. In
production one Durable Object serves about 500–1,000 requests a second (Cloudflare's soft
limit is ~1,000; ~200–500 when every request writes storage), so a \`global\` policy caps the
whole deployment's checks near that, however many isolates call it. That ceiling is not
visible in one local process. No sharding is implemented.`;
}

export function report(r: BenchResults): string {
  const sections = [
    header,
    coreSection,
    e2eSection,
    floodSection,
    storageSection,
    (r: BenchResults) => reservationSection(reservationResult(r.storage)),
    hotKeySection,
    (r: BenchResults) => modelSection(r.model),
    (r: BenchResults) => costSection(costOf(r)),
    gatewaySection,
    metricsSection,
  ];
  return `${sections.map((section) => section(r)).join("\n\n")}\n`;
}

function gatewaySection(r: BenchResults): string {
  const g = r.gateway;
  const floors = r.limiter.floors;
  const floorRps = floors.reduce((sum, f) => sum + f.rps, 0) / floors.length;
  const row = (name: string, res: LoadResult, direct: LoadResult): Cell[] => [
    name,
    int(res.rps),
    pct(res.rps / direct.rps),
    direct === res ? "" : pct(res.rps / floorRps),
    res.p50Ms,
    res.p99Ms,
    `+${(res.p50Ms - direct.p50Ms).toFixed(0)} ms`,
    answers(res),
  ];
  return `## 6. The Bot API gateway

The same calls, ${r.timing.connections} connections, through the gateway on the \`wrangler dev\` of §2
and straight to the fake Bot API (\`scripts/fake-bot-api\`, a Node process of its own on
127.0.0.1), one after the other. Limits so generous that no call waits: what is measured is
the gateway's own work per call. \`sendMessage\` (rotating over 10,000 chats) is a sending
method: token check, body read, one call to the bot's object, then the send; \`getMe\` passes
straight through. Every call through the worker also crosses \`wrangler dev\`'s proxy, which
the fake does not: "vs floor" compares with the mean of §2's \`GET /healthz\` runs
(${int(floorRps)} req/s), which carry that proxy too.

${table(
  ["call", "req/s", "vs straight", "vs floor", "p50 ms", "p99 ms", "p50 overhead", "answers"],
  [
    row("sendMessage straight to the fake", g.sendDirect, g.sendDirect),
    row("sendMessage through the gateway", g.sendThrough, g.sendDirect),
    row("getMe straight to the fake", g.getMeDirect, g.getMeDirect),
    row("getMe through the gateway", g.getMeThrough, g.getMeDirect),
  ],
)}`;
}
