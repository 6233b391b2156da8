// The dashboard in a real browser against a real `wrangler dev`, on loopback, with policies
// of its own: sign in, send known traffic, see exactly those numbers on the page within the
// flush bound, block a subject from the page and see its next check denied.
//   npm run test:dashboard                  screenshot to the temp directory (CI)
//   npm run test:dashboard -- --screenshot  screenshot over docs/dashboard.png (the README's)
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { startDev } from "./dev-server.ts";
import { post } from "./hammer.ts";
import { ADMIN_TOKEN, API_TOKEN, makeSandbox, ROOT } from "./sandbox.ts";

// The whole run, however slow the machine: past it, the test fails rather than hang.
const DEADLINE_MS = 240_000;
// The page must show a count this long after it was made at most: the flush interval and
// some seconds for a busy machine.
const SEEN_WITHIN_MS = 20_000;

const deadline = setTimeout(() => {
  console.error(`dashboard e2e: no result within ${DEADLINE_MS / 1000} s`);
  process.exit(1);
}, DEADLINE_MS);

const policies = {
  app: "dash",
  policies: {
    api_calls: { kind: "throttle", rate: 7, per: 3600, scope: "user", description: "7 an hour" },
    new_limit: {
      kind: "throttle",
      rate: 2,
      per: 3600,
      scope: "user",
      mode: "shadow",
      description: "Tried in shadow mode before it is enforced",
    },
    login_ip: { kind: "throttle", rate: 3, per: 60, scope: "ip", description: "Logins per IP" },
  },
};

let passed = 0;
let failed = 0;
function expect(what: string, ok: boolean, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}`);
}

async function checks(url: string, body: object, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res = await post(`${url}/v1/check`, API_TOKEN, body);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

/** The number in a policy's row, by field. */
const cell = (page: Page, policy: string, field: string) =>
  page
    .locator(`tr[data-policy="${policy}"] [data-field="${field}"]`)
    .textContent()
    .then((text) => text?.trim() ?? "");

/** Reloads until the page shows `expected` or the bound passes; how long it took. */
async function seen(page: Page, expected: Record<string, Record<string, string>>) {
  const startedMs = Date.now();
  let shown: Record<string, Record<string, string>> = {};
  while (Date.now() - startedMs < SEEN_WITHIN_MS) {
    await page.reload();
    shown = {};
    for (const [policy, fields] of Object.entries(expected)) {
      shown[policy] = {};
      for (const field of Object.keys(fields)) {
        (shown[policy] as Record<string, string>)[field] = await cell(page, policy, field);
      }
    }
    if (JSON.stringify(shown) === JSON.stringify(expected)) {
      return { ok: true, ms: Date.now() - startedMs, shown };
    }
    await page.waitForTimeout(500);
  }
  return { ok: false, ms: Date.now() - startedMs, shown };
}

const sandbox = makeSandbox(policies);
const server = await startDev({ cwd: sandbox, persistTo: mkdtempSync(join(sandbox, ".state-")) });
const launched = await launchBrowser().catch(async (error) => {
  await server.stop();
  throw error;
});
const browser = launched.context;
try {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });

  await page.goto(`${server.url}/dashboard`);
  await page.fill("#token", ADMIN_TOKEN);
  await page.click("button[type=submit]");
  await page.waitForSelector("h2:has-text('Decisions')");
  const cookies = await browser.cookies(server.url);
  const session = cookies.find((c) => c.name === "__Host-limiter_session");
  expect(
    "signed in: an HttpOnly, Secure, SameSite=Strict session cookie on http://127.0.0.1",
    session?.httpOnly === true && session.secure && session.sameSite === "Strict",
    JSON.stringify({ ...session, value: "…" }),
  );
  expect("the token is in no URL", !page.url().includes(ADMIN_TOKEN), page.url());

  const enforced = await checks(server.url, { policies: ["api_calls"], user: "alice" }, 10);
  const shadowed = await checks(server.url, { policies: ["new_limit"], user: "bob" }, 6);
  await checks(server.url, { policies: ["login_ip"], ip: "2001:db8:bad::1" }, 5);
  expect(
    "sent 7 admitted and 3 denied on api_calls, 6 admitted on the shadow policy new_limit",
    count(enforced, 200) === 7 && count(enforced, 429) === 3 && count(shadowed, 200) === 6,
    `${enforced.join(",")} | ${shadowed.join(",")}`,
  );
  const numbers = await seen(page, {
    api_calls: { checks: "10", admitted: "7", denied: "3", shadowDenied: "0" },
    new_limit: { checks: "6", admitted: "6", denied: "0", shadowDenied: "4" },
  });
  expect(
    `the page shows exactly those numbers within ${SEEN_WITHIN_MS / 1000} s`,
    numbers.ok,
    `after ${(numbers.ms / 1000).toFixed(1)} s: ${JSON.stringify(numbers.shown)}`,
  );
  const canvases = await page.locator(".chart canvas").count();
  expect("a chart per active policy, drawn by the bundled uPlot", canvases >= 3, `${canvases}`);

  const bob = page.locator('table[data-policy="new_limit"] tr[data-subject="USER:bob"]');
  expect("bob is among new_limit's most limited", (await bob.count()) === 1);
  await bob.locator('button[data-action="block"]').click();
  await page.waitForSelector("text=Block added.");
  const next = await post(`${server.url}/v1/check`, API_TOKEN, {
    policies: ["new_limit"],
    user: "bob",
  });
  const body = (await next.json()) as { blocked?: boolean };
  expect(
    "blocked from the page: bob's next check is denied",
    next.status === 429 && body.blocked === true,
    `${next.status}`,
  );
  const listed = (await page.locator('table[data-rules="blocks"] tbody tr').textContent()) ?? "";
  expect(
    "the block is listed with its reason and door",
    /user bob.*limited by new_limit.*dashboard/s.test(listed),
    listed,
  );

  const alice = page.locator('table[data-policy="api_calls"] tr[data-subject="USER:alice"]');
  await alice.locator("a", { hasText: "Override" }).click();
  await page.fill('#override input[name="rate"]', "20");
  await page.fill('#override input[name="per"]', "3600");
  await page.fill('#override input[name="reason"]', "paying customer");
  await page.click('#override button[type="submit"]');
  await page.waitForSelector("text=Override saved.");
  const raised = await post(`${server.url}/v1/check`, API_TOKEN, {
    policies: ["api_calls"],
    user: "alice",
  });
  const limit = ((await raised.json()) as { policies: { limit: number }[] }).policies[0]?.limit;
  expect(
    "an override from the page: alice's next check meets the raised limit",
    raised.status === 200 && limit === 20,
    `${raised.status}, limit ${limit}`,
  );

  expect(
    "no script error or refused resource on the page",
    problems.length === 0,
    problems.join(" | "),
  );

  await page.setViewportSize({ width: 1360, height: 900 });
  const dir = process.argv.includes("--screenshot") ? join(ROOT, "docs") : tmpdir();
  mkdirSync(dir, { recursive: true });
  const shot = join(dir, "dashboard.png");
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
} finally {
  await launched.close();
  await server.stop();
  clearTimeout(deadline);
}
console.log(`dashboard e2e: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
