// End-to-end reliability checks against a real `wrangler dev` on loopback, serving policies
// of its own: exactness under 64 concurrent clients, and limits that survive a kill -9.
// Prints what it tried and what was lost, and writes the table (scripts/e2e/report.ts).
//   npm run test:e2e              report to the temp directory (CI)
//   npm run test:e2e -- --write   report over RELIABILITY.md
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { startFakeBotApi } from "../fake-bot-api/server.ts";
import { type DevServer, startDev } from "./dev-server.ts";
import {
  broadcast,
  disconnect,
  GATEWAY_LIMITS,
  type GatewayRow,
  gatewayBots,
  telegram429,
} from "./gateway.ts";
import { hammer, post } from "./hammer.ts";
import { e2ePolicies, LEASES, THROTTLE, WINDOW } from "./policies.ts";
import { type Row, writeReport } from "./report.ts";
import { BOT_TOKEN, makeSandbox, API_TOKEN as TOKEN } from "./sandbox.ts";

const CLIENTS = 64;
const DURATION_MS = Number(process.env.E2E_SECONDS ?? "10") * 1000;
// The fake Bot API behind the gateway, in a process of its own.
const fake = await startFakeBotApi(BOT_TOKEN, GATEWAY_LIMITS);
const sandbox = makeSandbox({ ...e2ePolicies, telegram: gatewayBots(fake.url) });

const rows: Row[] = [];
const gatewayRows: GatewayRow[] = [];

async function gatewayChecks(url: string) {
  for (const check of [telegram429, disconnect, broadcast]) {
    const row = await check(url, fake);
    gatewayRows.push(row);
    console.log(`${row.ok ? "ok  " : "FAIL"} gateway, ${row.check}: ${row.result}`);
  }
}

function record(row: Row) {
  rows.push(row);
  console.log(
    `${row.ok ? "ok  " : "FAIL"} ${row.check}: sent ${row.sent}, admitted ${row.admitted} ` +
      `(allowance ${row.allowance}), over-admitted ${row.overAdmitted}, ` +
      `admitted ${row.admittedShare} of allowance, failed ${row.failed}`,
  );
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

async function throttleExactness(url: string) {
  // One bucket shared by every client: full at the start, refilled at its rate since.
  const perSecond = THROTTLE.rate / THROTTLE.per;
  const t = await hammer(CLIENTS, DURATION_MS, () =>
    post(`${url}/v1/check`, TOKEN, { policies: ["e2e_throttle"] }),
  );
  const allowance = THROTTLE.rate + (perSecond * t.elapsedMs) / 1000;
  const over = Math.max(0, t.admitted - Math.floor(allowance));
  record({
    check: `throttle, ${CLIENTS} clients, ${(t.elapsedMs / 1000).toFixed(1)} s`,
    sent: t.sent,
    admitted: t.admitted,
    allowance: `${THROTTLE.rate} + ${perSecond}/s × elapsed = ${Math.floor(allowance)}`,
    overAdmitted: over,
    admittedShare: pct(t.admitted, allowance),
    failed: t.failed,
    ok: over === 0 && t.admitted >= 0.95 * allowance && t.failed === 0,
  });
}

const windowAllowance = `${WINDOW.limit} per ${WINDOW.window} s`;

async function windowExactness(url: string) {
  // An hour-long window: nothing slides out of it during the run.
  const t = await hammer(CLIENTS, DURATION_MS, () =>
    post(`${url}/v1/check`, TOKEN, { policies: ["e2e_window"], user: "e2e-window" }),
  );
  record({
    check: `sliding window, ${CLIENTS} clients, ${(t.elapsedMs / 1000).toFixed(1)} s`,
    sent: t.sent,
    admitted: t.admitted,
    allowance: windowAllowance,
    overAdmitted: Math.max(0, t.admitted - WINDOW.limit),
    admittedShare: pct(t.admitted, WINDOW.limit),
    failed: t.failed,
    ok: t.admitted <= WINDOW.limit && t.admitted >= 0.95 * WINDOW.limit && t.failed === 0,
  });
}

async function leaseExactness(url: string) {
  // A client counts a lease as held from the answer to its acquire until it sends the
  // release, inside the object's own interval.
  let held = 0;
  let maxHeld = 0;
  const t = await hammer(CLIENTS, DURATION_MS, async () => {
    const res = await post(`${url}/v1/leases`, TOKEN, { policy: "e2e_leases", user: "e2e" });
    if (res.status !== 201) return res;
    const { leaseId } = (await res.clone().json()) as { leaseId: string };
    held++;
    maxHeld = Math.max(maxHeld, held);
    await new Promise((resolve) => setTimeout(resolve, 5));
    held--;
    const released = await fetch(`${url}/v1/leases/${leaseId}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    await released.arrayBuffer();
    return res;
  });
  record({
    check: `leases, ${CLIENTS} clients, ${(t.elapsedMs / 1000).toFixed(1)} s`,
    sent: t.sent,
    admitted: t.admitted,
    allowance: `${LEASES.limit} held at once (most seen: ${maxHeld})`,
    overAdmitted: Math.max(0, maxHeld - LEASES.limit),
    admittedShare: `${maxHeld}/${LEASES.limit} slots used`,
    failed: t.failed,
    ok: maxHeld === LEASES.limit && t.failed === 0,
  });
}

async function survivesKill(persistTo: string, first: DevServer) {
  // Half a window before the crash, the rest after it: the limit must carry on.
  const body = { policies: ["e2e_window"], user: "e2e-restart" };
  const half = WINDOW.limit / 2;
  let before = 0;
  for (let i = 0; i < half; i++) {
    if ((await post(`${first.url}/v1/check`, TOKEN, body)).status === 200) before++;
  }
  await first.kill();
  const second = await startDev({ cwd: sandbox, persistTo });
  try {
    const t = await hammer(CLIENTS, Math.min(DURATION_MS, 5000), () =>
      post(`${second.url}/v1/check`, TOKEN, body),
    );
    const total = before + t.admitted;
    record({
      check: "kill -9 mid-window, restart on the same state",
      sent: half + t.sent,
      admitted: total,
      allowance: `${windowAllowance} (${before} before the kill, ${t.admitted} after)`,
      overAdmitted: Math.max(0, total - WINDOW.limit),
      admittedShare: pct(total, WINDOW.limit),
      failed: t.failed,
      ok: before === half && total === WINDOW.limit && t.failed === 0,
    });
  } finally {
    await second.stop();
  }
}

// Removed with the sandbox when this process exits.
const persistTo = mkdtempSync(join(sandbox, ".state-"));
const server = await startDev({ cwd: sandbox, persistTo });
try {
  await throttleExactness(server.url);
  await windowExactness(server.url);
  await leaseExactness(server.url);
  await gatewayChecks(server.url);
  await survivesKill(persistTo, server);
} catch (error) {
  await server.kill();
  throw error;
}
const report = writeReport(rows, CLIENTS, process.argv.includes("--write"), gatewayRows);
const checks = [...rows, ...gatewayRows];
const failed = checks.filter((r) => !r.ok).length;
console.log(`\nwrote ${report}`);
console.log(`e2e: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
