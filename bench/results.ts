// Everything one bench run measured, and the goals each ratio is judged against.
import { type CoreResult, PEER_NAME } from "./core.ts";
import type { AllowedResults, ConsumerResults, LimiterResults, Measured, Timing } from "./e2e.ts";
import type { Machine } from "./machine.ts";
import { int, pct, times } from "./markdown.ts";
import type { StorageResult } from "./storage-result.ts";

export interface BenchResults {
  quick: boolean;
  seconds: number;
  machine: Machine;
  timing: Timing;
  /** Where wrangler dev kept its state for the main sessions. */
  persistedOn: string;
  core: CoreResult[];
  storage: StorageResult;
  limiter: LimiterResults;
  /** The allowed path again, with the state on this machine's disk. */
  disk: AllowedResults;
  consumer: ConsumerResults;
}

export interface Goal {
  /** Names the goal for the report's notes; admission rows share one. */
  id: string;
  what: string;
  /** The measured ratio, formatted. */
  measured: string;
  goal: string;
  /** undefined: reported, no goal set. */
  met: boolean | undefined;
}

/** A scenario's throughput as a share of its floor's. */
export const toFloor = (m: Measured) => m.result.rps / m.floorRps;

function coreGoals(core: CoreResult[]): Goal[] {
  const peer = core.find((c) => c.name === PEER_NAME)?.opsPerSec ?? Number.NaN;
  return ["throttleDecide", "windowDecide"].map((name) => {
    const ratio = (core.find((c) => c.name === name)?.opsPerSec ?? Number.NaN) / peer;
    return {
      id: name,
      what: `1. ${name} decisions/s vs rate-limiter-flexible`,
      measured: times(ratio),
      goal: "≥ 3×",
      met: ratio >= 3,
    };
  });
}

function e2eGoals(r: BenchResults): Goal[] {
  const allowed = toFloor(r.limiter.allowed);
  const flood = toFloor(r.limiter.flood);
  const telegram = r.limiter.telegram.result.rps / r.limiter.origin.rps;
  const consumer = toFloor(r.consumer.hello);
  return [
    {
      id: "allowed",
      what: "2. POST /v1/check allowed vs the floor (GET /healthz)",
      measured: pct(allowed),
      goal: "≥ 60%",
      met: allowed >= 0.6,
    },
    {
      id: "flood",
      what: "2. POST /v1/check, one key flooded, vs the floor",
      measured: pct(flood),
      goal: "≥ 90%",
      met: flood >= 0.9,
    },
    {
      id: "telegram",
      what: "2. Telegram webhook route vs posting straight to the origin",
      measured: pct(telegram),
      goal: "≥ 50%",
      met: telegram >= 0.5,
    },
    {
      id: "consumer",
      what: "2. consumer GET /hello (check() over the binding) vs the consumer's 404 path",
      measured: pct(consumer),
      goal: "none set (reported)",
      met: undefined,
    },
  ];
}

function storageGoals(r: BenchResults): Goal[] {
  const { denials, recovery } = r.storage;
  const perDenial = denials.rowsWritten / denials.checks;
  const admissions = r.storage.admissions.map((w) => {
    const ratio = w.rowsWritten / w.admissions;
    return {
      id: "rows-admission",
      what: `4. rows per admission, ${w.label}`,
      measured: ratio.toFixed(3),
      goal: "≤ 1",
      met: ratio <= 1,
    };
  });
  return [
    ...admissions,
    {
      id: "rows-denial",
      what: "4. rows per denial that reaches the object",
      measured: perDenial.toFixed(3),
      goal: "0",
      met: denials.rowsWritten === 0,
    },
    {
      id: "rows-left",
      what: "4. rows left once every subject has recovered",
      measured: String(recovery.rowsLeft),
      goal: "0",
      met: recovery.rowsLeft === 0,
    },
  ];
}

export function goals(r: BenchResults): Goal[] {
  const { economics } = r.limiter;
  const perRequest = economics.objectCalls / economics.requests;
  const hot = r.limiter.global.result.rps / r.limiter.allowed.result.rps;
  return [
    ...coreGoals(r.core),
    ...e2eGoals(r),
    {
      id: "economics",
      what: `3. object calls per client request, ${int(economics.requests)} requests on one key`,
      measured: `1 per ${int(1 / perRequest)}`,
      goal: "≤ 1 per 20",
      met: perRequest <= 1 / 20,
    },
    ...storageGoals(r),
    {
      id: "hot",
      what: "5. hot key: global scope vs per-user (rotating users), local runtime",
      measured: pct(hot),
      goal: "none set (reported)",
      met: undefined,
    },
  ];
}
