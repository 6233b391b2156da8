import type { MetricsReport, PolicyMetrics as PolicyReport } from "../client/types.ts";
import type { Registry } from "../config/registry.ts";
import {
  addInto,
  type Counts,
  countsOf,
  MINUTE_MS,
  zeroCounts,
  zeroGatewayCounts,
} from "./counts.ts";
import type { MetricsWindow } from "./object.ts";
import { FLUSH_INTERVAL_MS } from "./recorder.ts";
import { subjectIdentity } from "./subjects.ts";
import { TOP_SUBJECTS_CAPACITY } from "./tally.ts";

// The report's shape is the client's (src/client/types.ts), which a bound Worker reads over RPC.
export type { MetricsReport, PolicyMetrics as PolicyReport } from "../client/types.ts";

const iso = (minute: number) => new Date(minute * MINUTE_MS).toISOString();
const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

function at<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function policyReport(
  registry: Registry,
  name: string,
  rows: MetricsWindow["counts"],
  top: MetricsWindow["top"][number] | undefined,
): PolicyReport {
  const counts = zeroCounts();
  const doors = new Map<string, Counts>();
  const minutes = new Map<string, { minute: string } & Counts>();
  for (const row of rows) {
    const only = countsOf(row);
    addInto(counts, only);
    addInto(at(doors, row.door, zeroCounts), only);
    addInto(
      at(minutes, String(row.minute), () => ({ minute: iso(row.minute), ...zeroCounts() })),
      only,
    );
  }
  const policy = registry.has(name) ? registry.get(name) : undefined;
  const limited = top?.limited ?? 0;
  return {
    name,
    ...(policy && { mode: policy.mode, kind: policy.limit.kind, scope: policy.scope }),
    counts,
    denialRate: rate(counts.denied, counts.checks),
    shadowDenialRate: rate(counts.shadowDenied, counts.checks),
    doors: Object.fromEntries(doors),
    perMinute: [...minutes.values()],
    topSubjects: {
      limited,
      maxError: Math.floor((2 * limited) / TOP_SUBJECTS_CAPACITY),
      subjects: (top?.subjects ?? []).map(({ id, count }) => {
        const subject = subjectIdentity(id);
        return subject ? { id, subject: subject as Record<string, string>, count } : { id, count };
      }),
    },
  };
}

/** The JSON of `GET /v1/admin/metrics`: every policy, then Telegram's bots and rules. */
export function buildReport(
  registry: Registry,
  window: MetricsWindow,
  fromMinute: number,
  toMinute: number,
): MetricsReport {
  const byPolicy = new Map<string, MetricsWindow["counts"]>();
  for (const name of registry.list().map((p) => p.name)) byPolicy.set(name, []);
  const telegram: MetricsReport["telegram"] = {};
  const bot = (name: string) => {
    telegram[name] ??= { rules: {}, gateway: zeroGatewayCounts() };
    return telegram[name];
  };
  for (const row of window.counts) {
    at(byPolicy, row.policy, () => []).push(row);
    if (row.door !== "telegram") continue;
    const rules = bot(row.bot).rules;
    rules[row.rule] ??= {};
    const counts = (rules[row.rule] as Record<string, Counts>)[row.policy] ?? zeroCounts();
    addInto(counts, countsOf(row));
    (rules[row.rule] as Record<string, Counts>)[row.policy] = counts;
  }
  for (const row of window.gateway) {
    const { minute: _minute, bot: name, ...counts } = row;
    addInto(bot(name).gateway, counts);
  }
  const tops = new Map(window.top.map((top) => [top.policy, top]));
  return {
    from: iso(fromMinute),
    to: iso(toMinute + 1),
    minutes: toMinute - fromMinute + 1,
    flushSeconds: FLUSH_INTERVAL_MS / 1000,
    policies: [...byPolicy].map(([name, rows]) =>
      policyReport(registry, name, rows, tops.get(name)),
    ),
    telegram,
  };
}
