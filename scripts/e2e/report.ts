// RELIABILITY.md from one e2e run: to the temp directory, or with --write over the committed
// file, so a CI run leaves the tree as it found it.
import { writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayRow } from "./gateway.ts";
import { ROOT } from "./sandbox.ts";

export interface Row {
  check: string;
  sent: number;
  admitted: number;
  allowance: string;
  overAdmitted: number;
  admittedShare: string;
  failed: number;
  ok: boolean;
}

/** Writes the report and returns where. */
export function writeReport(
  rows: Row[],
  clients: number,
  committed: boolean,
  gateway: GatewayRow[] = [],
): string {
  const lines = [
    "# Reliability",
    "",
    "Written by `npm run test:e2e -- --write`: a real `wrangler dev` on loopback, serving",
    `policies of its own (\`scripts/e2e/policies.ts\`), ${clients} concurrent clients per check.`,
    `Run on ${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}.`,
    "`npm run test:e2e` alone, as `.ci/run` runs it, writes this report to the temp directory.",
    "",
    "| check | requests | admitted | allowance | over-admitted | admitted of allowance | failed | result |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.check} | ${r.sent} | ${r.admitted} | ${r.allowance} | ${r.overAdmitted} | ` +
        `${r.admittedShare} | ${r.failed} | ${r.ok ? "pass" : "FAIL"} |`,
    ),
    "",
    "The Bot API gateway, called by grammY through `wrangler dev`, in front of the fake Bot API",
    "(`scripts/fake-bot-api`, a process of its own, counting like Telegram), judged from the fake's",
    "own receive times:",
    "",
    "| check | result | |",
    "|---|---|---|",
    ...gateway.map((r) => `| ${r.check} | ${r.result} | ${r.ok ? "pass" : "FAIL"} |`),
    "",
    "Checked on every `npm test` as well, inside workerd:",
    "",
    "- eviction of an object keeps its limits (`test/limiter/object.test.ts`);",
    "- faults: an object that throws, reports overload or hangs past the budget is answered",
    "  as configured (fail-open or fail-closed) on the HTTP, Telegram and RPC doors; overload",
    "  is never retried, a retryable error once (`test/reliability/faults.test.ts`,",
    "  `test/telegram/webhook.test.ts`, `test/rpc/`);",
    "- 11,000 generated hostile inputs across `/v1/check`, `/v1/leases`, the Telegram webhook,",
    "  the RPC methods and `policies.json`, and 900 more on `/v1/admin/metrics`, `/metrics` and",
    "  the dashboard's forms: no 5xx, every rejection a 4xx (or a thrown Error over RPC) that",
    "  says what is wrong; the run prints its tally (`test/reliability/fuzz.test.ts`);",
    "- secrets (API, admin and metrics tokens, webhook and origin secrets, the dashboard's",
    "  session cookie) never appear in logs or error bodies, on every path that logs",
    "  (`test/reliability/secrets.test.ts`);",
    "- the dashboard in Debian's Chromium on `wrangler dev`: sign in, known traffic counted",
    "  exactly on the page, a block and an override from the page applied to the next check",
    "  (`npm run test:dashboard`, `scripts/e2e/dashboard.ts`).",
    "",
  ];
  const out = join(committed ? ROOT : tmpdir(), "RELIABILITY.md");
  writeFileSync(out, lines.join("\n"));
  return out;
}
