import type { Counts } from "../metrics/counts.ts";
import type { MetricsReport, PolicyReport } from "../metrics/report.ts";
import { percent } from "./format.ts";

const active = (p: PolicyReport) =>
  p.counts.checks + p.counts.leasesTaken + p.counts.leasesRefused > 0;

function Cell({ field, value }: { field: keyof Counts | "denialRate"; value: string | number }) {
  return (
    <td data-field={field} class="num">
      {value}
    </td>
  );
}

/** One row per policy: each enforced count with its shadow would-deny count beside it. */
export function DecisionsTable({ report }: { report: MetricsReport }) {
  return (
    <table class="decisions">
      <thead>
        <tr>
          <th>policy</th>
          <th>mode</th>
          <th class="num">checks</th>
          <th class="num">admitted</th>
          <th class="num">denied</th>
          <th class="num">would deny (shadow)</th>
          <th class="num">denial rate</th>
          <th class="num">blocked</th>
          <th class="num">denied from cache</th>
          <th class="num">unavailable open / closed</th>
          <th class="num">leases taken / refused</th>
        </tr>
      </thead>
      <tbody>
        {report.policies.map((p) => (
          <tr data-policy={p.name} class={active(p) ? "" : "idle"}>
            <th scope="row">{p.name}</th>
            <td>{p.mode ?? "removed"}</td>
            <Cell field="checks" value={p.counts.checks} />
            <Cell field="admitted" value={p.counts.admitted} />
            <Cell field="denied" value={p.counts.denied} />
            <Cell field="shadowDenied" value={p.counts.shadowDenied} />
            <Cell
              field="denialRate"
              value={percent(p.counts.denied + p.counts.shadowDenied, p.counts.checks)}
            />
            <Cell field="blocked" value={p.counts.blocked} />
            <Cell field="deniedFromCache" value={p.counts.deniedFromCache} />
            <td class="num">
              <span data-field="unavailableOpen">{p.counts.unavailableOpen}</span> /{" "}
              <span data-field="unavailableClosed">{p.counts.unavailableClosed}</span>
            </td>
            <td class="num">
              <span data-field="leasesTaken">{p.counts.leasesTaken}</span> /{" "}
              <span data-field="leasesRefused">{p.counts.leasesRefused}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SERIES = ["admitted", "denied", "shadowDenied", "blocked"] as const;

/**
 * A policy's decisions per minute over the whole window, minutes without any as 0, and the
 * last minute's again at the window's end, so the chart's steps give the current minute a
 * width too.
 */
function series(report: MetricsReport, policy: PolicyReport) {
  const fromMs = Date.parse(report.from);
  const index = new Map(policy.perMinute.map((m) => [Date.parse(m.minute), m]));
  const t: number[] = [];
  const values = Object.fromEntries(SERIES.map((name) => [name, [] as number[]]));
  for (let i = 0; i <= report.minutes; i++) {
    const atMs = fromMs + Math.min(i, report.minutes - 1) * 60_000;
    t.push((fromMs + i * 60_000) / 1000);
    const minute = index.get(atMs);
    for (const name of SERIES) values[name]?.push(minute?.[name] ?? 0);
  }
  return { t, ...values };
}

/** Decisions per minute, one small chart per policy that decided anything in the window. */
export function Charts({ report }: { report: MetricsReport }) {
  const shown = report.policies.filter(active);
  if (shown.length === 0) return <p class="empty">No decisions in this window yet.</p>;
  return (
    <div class="charts">
      {shown.map((p) => (
        <figure>
          <figcaption>
            {p.name} <span class="mode">{p.mode === "shadow" ? "shadow" : ""}</span>
          </figcaption>
          <div class="chart" data-policy={p.name} data-series={JSON.stringify(series(report, p))} />
        </figure>
      ))}
    </div>
  );
}
