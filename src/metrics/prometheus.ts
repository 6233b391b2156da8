import type { Counter, CountRow, GatewayCounter, GatewayRow } from "./counts.ts";

// The Prometheus text exposition format (version 0.0.4): cumulative counters per policy,
// door, and Telegram bot and rule; never a subject id.

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface Family<K extends string> {
  name: string;
  help: string;
  counter: K;
  labels?: Record<string, string>;
  /** Divides the stored number, for a unit Prometheus prefers (seconds). */
  scale?: number;
}

const DECISIONS: Family<Counter>[] = [
  { name: "checks", counter: "checks", help: "Checks that named the policy and counted it." },
  { name: "admitted", counter: "admitted", help: "Checks admitted (failing open included)." },
  { name: "denied", counter: "denied", help: "Checks this policy denied." },
  {
    name: "shadow_denied",
    counter: "shadowDenied",
    help: "Checks this shadow-mode policy would have denied.",
  },
  { name: "blocked", counter: "blocked", help: "Checks and leases denied by a runtime block." },
  {
    name: "denied_from_cache",
    counter: "deniedFromCache",
    help: "Denials answered from an isolate's memory of recent denials, without an object call.",
  },
  {
    name: "unavailable",
    counter: "unavailableOpen",
    labels: { fail_mode: "open" },
    help: "Checks the limiter could not decide, answered by the failure mode.",
  },
  { name: "unavailable", counter: "unavailableClosed", labels: { fail_mode: "closed" }, help: "" },
  { name: "leases_taken", counter: "leasesTaken", help: "Concurrency leases taken." },
  { name: "leases_refused", counter: "leasesRefused", help: "Concurrency leases refused." },
];

const GATEWAY: Family<GatewayCounter>[] = [
  { name: "gateway_sent", counter: "sent", help: "Bot API calls the gateway sent." },
  { name: "gateway_waited", counter: "waited", help: "Bot API calls the gateway held back." },
  {
    name: "gateway_wait_seconds",
    counter: "waitedMs",
    scale: 1000,
    help: "Seconds the gateway held Bot API calls back, summed.",
  },
  {
    name: "gateway_answered_429",
    counter: "answered429",
    help: "Bot API calls the gateway answered 429 itself.",
  },
  { name: "gateway_telegram_429", counter: "telegram429", help: "429 answers from Telegram." },
];

const escapeLabel = (value: string) =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

function labelText(labels: Record<string, string>): string {
  const set = Object.entries(labels).filter(([, value]) => value !== "");
  return `{${set.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(",")}}`;
}

function render<K extends string, R extends Record<K, number>>(
  families: Family<K>[],
  rows: R[],
  labelsOf: (row: R) => Record<string, string>,
): string[] {
  const lines: string[] = [];
  for (const family of families) {
    const name = `edge_limiter_${family.name}_total`;
    if (family.help !== "") {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} counter`);
    }
    for (const row of rows) {
      const value = row[family.counter] / (family.scale ?? 1);
      lines.push(`${name}${labelText({ ...labelsOf(row), ...family.labels })} ${value}`);
    }
  }
  return lines;
}

export function prometheusText(totals: {
  counts: Omit<CountRow, "minute">[];
  gateway: Omit<GatewayRow, "minute">[];
}): string {
  const lines = [
    ...render(DECISIONS, totals.counts, (row) => ({
      policy: row.policy,
      door: row.door,
      bot: row.bot,
      rule: row.rule,
    })),
    ...render(GATEWAY, totals.gateway, (row) => ({ bot: row.bot })),
  ];
  return `${lines.join("\n")}\n`;
}
