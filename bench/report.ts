// Renders BENCHMARKS.md from one run's results.
import { BARE_NAME } from "./core.ts";
import { int, mark, pct, table } from "./markdown.ts";
import { type BenchResults, goals, toFloor } from "./results.ts";
import {
  coreSection,
  e2eSection,
  floodSection,
  hotKeySection,
  storageSection,
} from "./sections.ts";

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
numbers drift from run to run on a shared machine, and are shown only beside the ratios.

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
npm run bench              # full run, under 5 minutes; rewrites BENCHMARKS.md
npm run bench -- --quick   # under a minute, for CI: fails unless every scenario gives numbers;
                           # its report goes to the temp directory, never here
npx vitest run -c bench/vitest.storage.config.ts   # the storage numbers alone
\`\`\`

Load: autocannon's API, ${t.connections} connections, ${t.durationS} s per scenario after a
${t.warmupS} s warm-up, 127.0.0.1 only. Core: mitata. The code is in \`bench/\`.`;
}

function goalsSection(r: BenchResults): string {
  return `## Goals

${table(
  ["what", "measured", "goal", ""],
  goals(r).map((g) => [g.what, g.measured, g.goal, mark(g.met)]),
)}`;
}

/** Why each goal not met is missed, from this run's own numbers; nothing when all are met. */
function missesSection(r: BenchResults): string {
  const missed = new Set(
    goals(r)
      .filter((g) => g.met === false)
      .map((g) => g.id),
  );
  const l = r.limiter;
  const floors = l.floors.map((f) => f.rps);
  const floor = floors.reduce((sum, rps) => sum + rps, 0) / floors.length;
  const hot = l.global.result.rps / l.allowed.result.rps;
  const ops = (name: string) => r.core.find((c) => c.name === name)?.opsPerSec ?? Number.NaN;
  const notes: [id: string, text: string][] = [
    [
      "throttleDecide",
      `**throttleDecide**: it runs at ${pct(ops("throttleDecide") / ops(BARE_NAME))} of a bare
  token bucket over the same Map: the difference is its integer units and the whole decision
  object it builds per call.`,
    ],
    [
      "windowDecide",
      "**windowDecide**: an exact log of admissions, here hundreds of entries per key (§1).",
    ],
    [
      "allowed",
      `**Allowed path**: every admission is one Durable Object call plus one storage write, after
  auth and body validation; the floor does none of that. Locally, the same
  checks ran ${hot >= 1 ? "faster" : "slower"} on one hot object than spread over
  ${int(r.timing.users)} objects (§5: the global policy at ${pct(hot)} of this path).`,
    ],
    [
      "flood",
      `**Flood**: no object is called, but each denial still authenticates, parses and validates
  the body, and answers with rate-limit headers.`,
    ],
    [
      "telegram",
      `**Telegram**: the origin, a Node server, answers ${int(l.origin.rps)} req/s with no
  \`wrangler dev\` in front; every route of the worker goes through it, even the no-op floor
  (${pct(floor / l.origin.rps)} of the origin). Against that floor the webhook route runs at
  ${pct(toFloor(l.telegram))}.`,
    ],
    [
      "rows-admission",
      `**Rows per admission**: one row of state per admission, plus each object's one clean-up
  alarm (§4).`,
    ],
  ];
  const bullets = notes.filter(([id]) => missed.has(id)).map(([, text]) => `- ${text}`);
  return bullets.length === 0 ? "" : `## Reading the misses\n\n${bullets.join("\n")}`;
}

export function report(r: BenchResults): string {
  const sections = [
    header(r),
    goalsSection(r),
    missesSection(r),
    coreSection(r),
    e2eSection(r),
    floodSection(r),
    storageSection(r),
    hotKeySection(r),
  ];
  return `${sections.filter((section) => section !== "").join("\n\n")}\n`;
}
