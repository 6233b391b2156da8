// Part 4's section and goals, from the production model (bench/model.ts).
import type { Goal } from "./goal.ts";
import type { ModelResult, ModelRun } from "./model-types.ts";

/** Goals of the issue: none over-admitted, ≥ 90% of the allowance used, local latency. */
export const SHARE_GOAL = 0.9;
export const LATENCY_GOAL_SHARE_OF_RTT = 1 / 5;

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (n: number) => `${(100 * n).toFixed(1)}%`;

/** What the policy could have admitted: its allowance, or every check when fewer came. */
export const shareUsed = (r: ModelRun) => r.admitted / Math.min(r.checks, r.allowance);

/** The most admitted beyond the bound, from the start or in any interval measured. */
export const overAdmissions = (r: ModelRun) =>
  Math.max(r.overAdmitted, ...r.intervals.map((i) => i.most - i.bound), 0);

const perSecond = (n: number, r: ModelRun) => int(n / (r.durationMs / 1000));

export function modelSection(m: ModelResult): string {
  const { model } = m;
  const rows = m.runs.map((r) => [
    r.label,
    perSecond(r.checks, r),
    perSecond(r.answered - r.unavailable, r),
    perSecond(r.admitted, r),
    `${r.latencyMs.p50} / ${r.latencyMs.p99}`,
    `${r.admittedLatencyMs.p50} / ${r.admittedLatencyMs.p99}`,
    int(r.overloaded),
    (r.objectCalls / r.checks).toFixed(3),
    (r.rowsWritten / r.checks).toFixed(4),
    int(overAdmissions(r)),
    pct(shareUsed(r)),
  ]);
  const intervals = m.runs.flatMap((r) =>
    r.intervals.map((i) => [r.label, `${i.intervalMs} ms`, int(i.most), int(i.bound)]),
  );
  return `## 7. Hot keys in production: a model

**A model, not a measurement of production.** One process cannot show a Durable Object's
ceiling, so \`bench/model.bench-test.ts\` runs the limiter's own code inside workerd (${m.isolates}
isolates, each with its own services, over one namespace of real objects) behind a namespace
that behaves as production is assumed to (\`bench/model-objects.ts\`), on a simulated clock
(\`bench/model-sim.ts\`): time moves from one event to the next, never with the machine's, so
the figures do not depend on how fast or busy the machine is. The isolates' and the objects'
clocks read the simulated time; the objects decide every call as they would.

Assumed, per object: a round trip of ${model.roundTripMs} ms between isolate and object; ${model.callMs} ms of
the object's time per call that writes nothing (${int(1000 / model.callMs)} calls a second), ${model.writeCallMs} ms per call
that writes (~${int(1000 / model.writeCallMs)} a second; ~400 write transactions a second were published); the
output gate holds a writing call's answer ${model.flushMs} ms more; past ${model.queueLimit} queued calls the runtime
answers "overloaded" (\`.overloaded = true\`, never retried, so the check is answered
"unavailable" and, failing closed, denied); an answer later than the limiter's budget of
${int(model.budgetMs)} ms is a timeout. Not modelled: the isolates' own CPU time (a check admitted from a grant
makes no call: microseconds), rules fetches (answered at once), the write-down alarm.

Load: ${int(m.offeredPerSecond)} checks a second, ten times one object's capacity, spread at random over
the isolates, on one \`global\` throttle (\`burst\` = \`rate\`, refilled every second). With
leases off every check is an object call; with \`"lease": true\` an isolate admits from grants.

| run | offered /s | decided /s | admitted /s | latency p50 / p99 ms | admitted p50 / p99 ms | overloads | object calls per check | rows per check | over-admitted | allowance used |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}

"Decided" counts answers that are not "unavailable". Over-admitted: the most admitted beyond
\`burst + rate × d\`, from the start and in every interval d below (by the instant each
admission was answered). Allowance used: admitted ÷ the lesser of the checks offered and
\`burst + rate × run\`.

| run | interval | most admitted in it | bound (burst + rate × d) |
|---|---|---|---|
${intervals.map((r) => `| ${r.join(" | ")} |`).join("\n")}

Why, where a goal is missed:
- **Leases off**, the object is the ceiling: each check is a call, and a queue of
  ${model.queueLimit} in front of it overflows, so most checks are answered "unavailable".
- **Leases on, over the limit**: an isolate asks for its next grant before the last runs
  out, and near the limit a check that finds its grant spent while the next is on its way is
  denied at once: admitted and denied checks are both answered from the isolate. What that
  costs is the allowance used: checks denied while a grant was on its way, and the reserve,
  which is never granted (a quarter of the burst here, a larger share of a short run's
  allowance).
- **Leases on, within the limit**: grants follow each isolate's spending, so nearly every
  check is admitted from what its isolate holds, without a call.
`;
}

export function modelGoals(m: ModelResult): Goal[] {
  const latencyGoalMs = m.model.roundTripMs * LATENCY_GOAL_SHARE_OF_RTT;
  const leased = m.runs.filter((r) => r.lease);
  const off = m.runs.find((r) => !r.lease);
  const binding = leased.find((r) => r.checks > r.allowance);
  return [
    ...m.runs.map(
      (r): Goal => [
        `7. over-admissions (model), ${r.label}`,
        int(overAdmissions(r)),
        "0",
        overAdmissions(r) === 0,
      ],
    ),
    ...(binding === undefined
      ? []
      : [
          [
            `7. share of the allowance used (model), ${binding.label}`,
            pct(shareUsed(binding)),
            `≥ ${pct(SHARE_GOAL)}`,
            shareUsed(binding) >= SHARE_GOAL,
          ] as Goal,
        ]),
    ...leased.map(
      (r): Goal => [
        `7. p50 latency of an admitted hot-key check (model), ${r.label}`,
        `${r.admittedLatencyMs.p50} ms`,
        `≤ ${latencyGoalMs} ms (1/5 of the ${m.model.roundTripMs} ms round trip)`,
        r.admittedLatencyMs.p50 <= latencyGoalMs,
      ],
    ),
    ...(off === undefined || binding === undefined
      ? []
      : [
          [
            "7. admitted checks per second, leases on ÷ off (model)",
            `${(binding.admitted / Math.max(1, off.admitted)).toFixed(1)}×`,
            "reported",
            undefined,
          ] as Goal,
        ]),
  ];
}
