// Did every scenario run and produce numbers? Checks that the numbers exist and that each
// scenario did what it says (the statuses it expects), never how fast anything was.
import type { LoadResult } from "./load.ts";
import type { BenchResults } from "./results.ts";

const positive = (n: number) => Number.isFinite(n) && n > 0;

function checkLoad(name: string, result: LoadResult, expected: string, problems: string[]) {
  if (!positive(result.rps) || !positive(result.answers)) {
    problems.push(`${name}: no throughput (${result.rps} req/s, ${result.answers} answers)`);
  }
  if (!Number.isFinite(result.p50Ms) || !Number.isFinite(result.p99Ms) || result.p99Ms < 0) {
    problems.push(`${name}: no latency (p50 ${result.p50Ms}, p99 ${result.p99Ms})`);
  }
  const share = (result.statuses[expected] ?? 0) / result.answers;
  if (!(share > 0.5)) {
    problems.push(`${name}: expected mostly ${expected}, got ${JSON.stringify(result.statuses)}`);
  }
}

/** Every problem found; empty when the run is complete. */
export function validate(r: BenchResults): string[] {
  const problems: string[] = [];
  for (const c of r.core) {
    if (!positive(c.opsPerSec)) problems.push(`core ${c.name}: ${c.opsPerSec} decisions/s`);
    if (!(c.admittedShare > 0.5)) problems.push(`core ${c.name}: most calls were denied`);
  }
  if (r.core.length !== 4) problems.push(`core: ${r.core.length} contenders, expected 4`);
  const { limiter, consumer, storage } = r;
  const loads: [string, LoadResult, string][] = [
    ["allowed path", limiter.allowed.result, "200"],
    ["allowed path on disk", r.disk.allowed.result, "200"],
    ["global scope", limiter.global.result, "200"],
    ["flooded key", limiter.flood.result, "429"],
    ["Telegram route", limiter.telegram.result, "200"],
    ["origin", limiter.origin, "200"],
    ["consumer /hello", consumer.hello.result, "200"],
    ...limiter.floors.map((f, i): [string, LoadResult, string] => [`floor ${i + 1}`, f, "200"]),
    ...r.disk.floors.map((f, i): [string, LoadResult, string] => [`disk floor ${i + 1}`, f, "200"]),
    ...consumer.floors.map((f, i): [string, LoadResult, string] => [
      `consumer floor ${i + 1}`,
      f,
      "404",
    ]),
  ];
  for (const [name, result, expected] of loads) checkLoad(name, result, expected, problems);
  const { economics } = limiter;
  if (!positive(economics.requests) || !positive(economics.objectCalls)) {
    problems.push(`flood economics: ${JSON.stringify(economics)}`);
  }
  if (storage.admissions.some((w) => !positive(w.admissions) || !positive(w.rowsWritten))) {
    problems.push(`storage admissions: ${JSON.stringify(storage.admissions)}`);
  }
  if (!positive(storage.denials.checks) || !positive(storage.denials.objectCalls)) {
    problems.push(`storage denials: ${JSON.stringify(storage.denials)}`);
  }
  if (!positive(storage.flood.checks) || !positive(storage.recovery.objects)) {
    problems.push(`storage flood/recovery: ${JSON.stringify(storage)}`);
  }
  return problems;
}
