// Rows written to Durable Object storage per admission and per denial, and rows left once
// every subject has recovered. Runs inside workerd through the worker's own fetch handler,
// with the bench policies (bench/vitest.storage.config.ts); not part of `npm test`.
//   npx vitest run -c bench/vitest.storage.config.ts
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { subjectKey } from "../src/core/keys.ts";
import type { LimiterObject } from "../src/limiter/object.ts";
import { KEEP_AFTER_RECOVERY_MS } from "../src/limiter/store.ts";
import { api } from "../test/helpers.ts";
import { countRowsWritten, type RowsWritten, setObjectClock } from "../test/objects.ts";
import { BENCH_APP } from "./policies.ts";
import { STORAGE_KEY_POLICY } from "./policies-storage.ts";
import type { StorageResult } from "./storage.ts";

const quick = (env as unknown as { BENCH_SCALE?: string }).BENCH_SCALE === "quick";
const THROTTLE_USERS = quick ? 20 : 200;
const WINDOW_USERS = quick ? 2 : 10;
const DENIALS_PER_USER = 5;
const FLOOD = quick ? 1_000 : 10_000;
// Each key is admitted its whole bucket, 1,000, on a clock that stands still: 20 batches.
const KEYS = quick ? 2 : 5;
const KEY_ADMISSIONS = 1_000;
// And at half its rate, the clock moving on 120 ms between admissions: the bucket is full
// again at each one, the way a key below its limit is checked.
const STEADY_ADMISSIONS = quick ? 200 : 500;
const STEADY_GAP_MS = 120;
// Past the longest period of the storage policies (storage_window, an hour), and the day for
// which a recovered state is kept in case its limit was tightened meanwhile.
const RECOVERED_AFTER_MS = 3_660_000 + KEEP_AFTER_RECOVERY_MS;

type Scope = "user" | "key";
const stub = (id: string, scope: Scope = "user") =>
  env.LIMITER.getByName(subjectKey({ app: BENCH_APP, scope, ids: [id] }));

// Every object's clock stands still at this instant until recovery, so no state refills
// however long the run takes on a slow or busy machine.
const startMs = Date.now();
const rows: RowsWritten = { kvPuts: 0, kvDeletes: 0, alarmsSet: 0 };
const total = () => rows.kvPuts + rows.kvDeletes + rows.alarmsSet;

/** Rows and alarms written, and object calls made, while `run` runs. */
async function counted(run: () => Promise<void>) {
  const [rowsBefore, alarmsBefore, callsBefore] = [total(), rows.alarmsSet, await objectCalls()];
  await run();
  return {
    rowsWritten: total() - rowsBefore,
    alarmRows: rows.alarmsSet - alarmsBefore,
    // The /v1/stats call that reads them calls no object.
    objectCalls: (await objectCalls()) - callsBefore,
  };
}

async function checkStatus(body: object): Promise<number> {
  const res = await api("/v1/check", { body });
  await res.arrayBuffer();
  return res.status;
}

async function objectCalls(): Promise<number> {
  const res = await api("/v1/stats");
  return ((await res.json()) as { isolate: { objectCalls: number } }).isolate.objectCalls;
}

async function admit(
  label: string,
  policy: string,
  subjects: string[],
  each: number,
  scope: Scope = "user",
) {
  for (const id of subjects) {
    await setObjectClock(stub(id, scope), () => startMs);
    await countRowsWritten(stub(id, scope), rows);
  }
  const written = await counted(async () => {
    for (const id of subjects) {
      for (let i = 0; i < each; i++) {
        expect(await checkStatus({ policies: [policy], [scope]: id })).toBe(200);
      }
    }
  });
  const admissions = subjects.length * each;
  return { label, policy, objects: subjects.length, admissions, ...written };
}

/** One key admitted `count` times, its object's clock `gapMs` further on at each. */
async function admitSteadily(
  label: string,
  policy: string,
  id: string,
  count: number,
  gapMs: number,
) {
  let nowMs = startMs;
  await setObjectClock(stub(id, "key"), () => nowMs);
  await countRowsWritten(stub(id, "key"), rows);
  const written = await counted(async () => {
    for (let i = 0; i < count; i++) {
      nowMs += gapMs;
      expect(await checkStatus({ policies: [policy], key: id })).toBe(200);
    }
  });
  // Back to the instant the other objects stand at, for the recovery below.
  nowMs = startMs;
  return { label, policy, objects: 1, admissions: count, ...written };
}

it("measures rows written per decision and rows left after recovery", async ({ task }) => {
  const throttled = Array.from({ length: THROTTLE_USERS }, (_, i) => `t${i}`);
  const windowed = Array.from({ length: WINDOW_USERS }, (_, i) => `w${i}`);
  const admissions = [
    await admit(
      "storage_throttle (5 a minute), 5 admissions per user",
      "storage_throttle",
      throttled,
      5,
    ),
    await admit(
      "storage_window (100 an hour), 100 admissions per user",
      "storage_window",
      windowed,
      100,
    ),
    // Last: the report takes the first row's objects for the denials, which are per user.
    await admit(
      `${STORAGE_KEY_POLICY} (1,000 a minute), ${KEY_ADMISSIONS} admissions per key`,
      STORAGE_KEY_POLICY,
      Array.from({ length: KEYS }, (_, i) => `k${i}`),
      KEY_ADMISSIONS,
      "key",
    ),
    await admitSteadily(
      `${STORAGE_KEY_POLICY} (1,000 a minute) at half its rate, bucket full at each admission`,
      STORAGE_KEY_POLICY,
      "steady",
      STEADY_ADMISSIONS,
      STEADY_GAP_MS,
    ),
  ];

  // Each denial carries other content, so none is answered by the isolate's denial cache.
  const denials = {
    checks: throttled.length * DENIALS_PER_USER,
    ...(await counted(async () => {
      for (const user of throttled) {
        for (let i = 0; i < DENIALS_PER_USER; i++) {
          const body = { policies: ["storage_throttle"], user, fingerprint: `${i}` };
          expect(await checkStatus(body)).toBe(429);
        }
      }
    })),
  };

  // The same check again and again, as a flood sends it.
  const flood = {
    checks: FLOOD,
    ...(await counted(async () => {
      const body = { policies: ["storage_throttle"], user: throttled[0] };
      for (let i = 0; i < FLOOD; i++) expect(await checkStatus(body)).toBe(429);
    })),
  };

  const everyone = [
    ...[...throttled, ...windowed].map((id) => stub(id)),
    ...Array.from({ length: KEYS }, (_, i) => stub(`k${i}`, "key")),
    stub("steady", "key"),
  ];
  let rowsLeft = 0;
  let alarmsLeft = 0;
  const cleanup = await counted(async () => {
    for (const object of everyone) {
      await setObjectClock(object, () => startMs + RECOVERED_AFTER_MS);
      await runDurableObjectAlarm(object);
      rowsLeft += await runInDurableObject(
        object,
        (_: LimiterObject, state) => [...state.storage.kv.list()].length,
      );
      if (await runDurableObjectAlarm(object)) alarmsLeft++;
    }
  });
  const recovery = {
    objects: everyone.length,
    cleanupRows: cleanup.rowsWritten,
    rowsLeft,
    alarmsLeft,
  };

  const result: StorageResult = { admissions, denials, flood, recovery };
  task.meta.storage = result;
});
