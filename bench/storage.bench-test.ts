// Rows written to Durable Object storage per admission and per denial, and rows left once
// every subject has recovered. Runs inside workerd through the worker's own fetch handler
// with the bundled policies; not part of `npm test` (see bench/vitest.storage.config.ts).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import type { LimiterObject } from "../src/limiter/object.ts";
import { api } from "../test/helpers.ts";
import { rowsWritten as objectRows, setObjectClock } from "../test/objects.ts";
import { STORAGE_MARKER, type StorageResult, type StorageWorkload } from "./storage-result.ts";

const quick = (env as unknown as { BENCH_SCALE?: string }).BENCH_SCALE === "quick";
const THROTTLE_USERS = quick ? 20 : 200;
const WINDOW_USERS = quick ? 2 : 10;
const DENIALS_PER_USER = 5;
const FLOOD = quick ? 1_000 : 10_000;
// Past the longest period of the bundled policies (hourly_window), so everything recovered.
const LATER_MS = 3_660_000;

const stub = (user: string) => env.LIMITER.getByName(`sentinel:USER:${user}`);

async function checkStatus(body: object): Promise<number> {
  const res = await api("/v1/check", { body });
  await res.arrayBuffer();
  return res.status;
}

async function objectCalls(): Promise<number> {
  const res = await api("/v1/stats");
  return ((await res.json()) as { isolate: { objectCalls: number } }).isolate.objectCalls;
}

const rowsWritten = (user: string) => objectRows(stub(user));

async function sumRows(users: string[]): Promise<number> {
  let total = 0;
  for (const user of users) total += await rowsWritten(user);
  return total;
}

async function admit(label: string, policy: string, users: string[], each: number) {
  for (const user of users) {
    for (let i = 0; i < each; i++) {
      expect(await checkStatus({ policies: [policy], user })).toBe(200);
    }
  }
  let alarmRows = 0;
  for (const user of users) {
    const armed = await runInDurableObject(stub(user), (_: LimiterObject, state) =>
      state.storage.getAlarm(),
    );
    if (armed !== null) alarmRows++;
  }
  const workload: StorageWorkload = {
    label,
    objects: users.length,
    admissions: users.length * each,
    rowsWritten: await sumRows(users),
    alarmRows,
  };
  return workload;
}

it("measures rows written per decision and rows left after recovery", async () => {
  const throttled = Array.from({ length: THROTTLE_USERS }, (_, i) => `t${i}`);
  const windowed = Array.from({ length: WINDOW_USERS }, (_, i) => `w${i}`);
  const admissions = [
    await admit("user_throttle (5 a minute), 5 admissions per user", "user_throttle", throttled, 5),
    await admit(
      "hourly_window (100 an hour), 100 admissions per user",
      "hourly_window",
      windowed,
      100,
    ),
  ];

  // Each denial carries other content, so none is answered by the isolate's denial cache.
  let rowsBefore = await sumRows(throttled);
  let callsBefore = await objectCalls();
  for (const user of throttled) {
    for (let i = 0; i < DENIALS_PER_USER; i++) {
      const status = await checkStatus({ policies: ["user_throttle"], user, fingerprint: `${i}` });
      expect(status).toBe(429);
    }
  }
  const denials = {
    checks: throttled.length * DENIALS_PER_USER,
    // Less the /v1/stats call itself, which calls no object.
    objectCalls: (await objectCalls()) - callsBefore,
    rowsWritten: (await sumRows(throttled)) - rowsBefore,
  };

  // The same check again and again, as a flood sends it.
  const flooder = throttled[0] as string;
  rowsBefore = await rowsWritten(flooder);
  callsBefore = await objectCalls();
  for (let i = 0; i < FLOOD; i++) {
    expect(await checkStatus({ policies: ["user_throttle"], user: flooder })).toBe(429);
  }
  const flood = {
    checks: FLOOD,
    objectCalls: (await objectCalls()) - callsBefore,
    rowsWritten: (await rowsWritten(flooder)) - rowsBefore,
  };

  const everyone = [...throttled, ...windowed];
  rowsBefore = await sumRows(everyone);
  let rowsLeft = 0;
  let alarmsLeft = 0;
  for (const user of everyone) {
    await setObjectClock(stub(user), () => Date.now() + LATER_MS);
    await runDurableObjectAlarm(stub(user));
    rowsLeft += await runInDurableObject(
      stub(user),
      (_: LimiterObject, state) => [...state.storage.kv.list()].length,
    );
    if (await runDurableObjectAlarm(stub(user))) alarmsLeft++;
  }
  const recovery = {
    objects: everyone.length,
    cleanupRows: (await sumRows(everyone)) - rowsBefore,
    rowsLeft,
    alarmsLeft,
  };

  const result: StorageResult = { admissions, denials, flood, recovery };
  console.log(`${STORAGE_MARKER}${JSON.stringify(result)}`);
});
