import type { BlockRule, OverrideRule } from "../client/types.ts";
import type { MetricsReport } from "../metrics/report.ts";
import { Charts, DecisionsTable } from "./decisions.tsx";
import { Hidden, Layout } from "./layout.tsx";
import { Blocks, Overrides } from "./rules.tsx";
import { TopSubjects } from "./subjects.tsx";

export interface PageProps {
  app: string;
  /** Undefined when metrics are turned off. */
  report: MetricsReport | "unavailable" | undefined;
  blocks: BlockRule[];
  overrides: OverrideRule[];
  policies: string[];
  csrf: string;
  minutes: number;
  nowMs: number;
  prefill: Record<string, string>;
  /** What a change just did, by its code in the redirect's query. */
  notice?: string | undefined;
  error?: string | undefined;
}

// Fixed texts: a notice never shows what the query says, only what it names.
const NOTICES: Record<string, string> = {
  "block-added": "Block added.",
  "block-changed": "Block changed.",
  "block-removed": "Block removed.",
  "override-saved": "Override saved.",
  "override-removed": "Override removed.",
};

const WINDOWS: [number, string][] = [
  [15, "15 min"],
  [60, "1 h"],
  [360, "6 h"],
  [1440, "24 h"],
];

function Telegram({ report }: { report: MetricsReport }) {
  const bots = Object.entries(report.telegram);
  if (bots.length === 0) return null;
  return (
    <section>
      <h2>Telegram</h2>
      <table class="telegram">
        <thead>
          <tr>
            <th>bot</th>
            <th>rule</th>
            <th>policy</th>
            <th class="num">checks</th>
            <th class="num">admitted</th>
            <th class="num">denied</th>
            <th class="num">would deny</th>
          </tr>
        </thead>
        <tbody>
          {bots.flatMap(([bot, { rules }]) =>
            Object.entries(rules).flatMap(([rule, policies]) =>
              Object.entries(policies).map(([policy, counts]) => (
                <tr>
                  <td>{bot}</td>
                  <td>{rule}</td>
                  <td>{policy}</td>
                  <td class="num">{counts.checks}</td>
                  <td class="num">{counts.admitted}</td>
                  <td class="num">{counts.denied}</td>
                  <td class="num">{counts.shadowDenied}</td>
                </tr>
              )),
            ),
          )}
        </tbody>
      </table>
    </section>
  );
}

/** The one page: decisions over time, who is limited, and the rules in force. */
export function DashboardPage(props: PageProps) {
  const { report, csrf, minutes } = props;
  const notice = NOTICES[props.notice ?? ""];
  return (
    <Layout title={`${props.app} · edge-limiter`}>
      <header>
        <h1>
          edge-limiter <span class="app">{props.app}</span>
        </h1>
        <nav aria-label="window">
          {WINDOWS.map(([value, label]) => (
            <a
              href={`/dashboard?minutes=${value}`}
              aria-current={value === minutes ? "page" : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
        <form method="post" action="/dashboard/sign-out" class="inline">
          <Hidden csrf={csrf} minutes={minutes} />
          <button type="submit">Sign out</button>
        </form>
      </header>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <main>
        {report === undefined ? (
          <p class="empty">Metrics are turned off (METRICS_ENABLED=false).</p>
        ) : report === "unavailable" ? (
          <p class="error" role="alert">
            The metrics could not be read just now: reload in a few seconds.
          </p>
        ) : (
          <>
            <section>
              <h2>
                Decisions, last {WINDOWS.find(([m]) => m === minutes)?.[1] ?? `${minutes} min`}
              </h2>
              <p class="hint">
                Counted in each isolate and sent every {report.flushSeconds} s at most: the newest
                seconds may not be here yet.
              </p>
              <DecisionsTable report={report} />
              <Charts report={report} />
            </section>
            <section>
              <h2>Most limited, last hour</h2>
              <TopSubjects report={report} csrf={csrf} nowMinutes={minutes} />
            </section>
            <Telegram report={report} />
          </>
        )}
        <section>
          <h2>Blocks</h2>
          <Blocks {...props} />
        </section>
        <section>
          <h2>Overrides</h2>
          <Overrides {...props} />
        </section>
      </main>
    </Layout>
  );
}
