// What the metrics keep in an isolate at their bound, measured on the V8 heap in this Node
// process: a tally (bench's policies' counters and one full sketch per policy and minute)
// with every subject id as long as an id can be.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { MAX_UNSENT_ENTRIES } from "../src/metrics/recorder.ts";
import { Tally, TOP_SUBJECTS_CAPACITY } from "../src/metrics/tally.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Policies of a large deployment, each asked at every door, over the two minutes a flush spans. */
export const MEMORY_POLICIES = 50;
const DOORS = ["http", "rpc", "telegram"];
const MINUTES = 2;

export interface MemoryResult {
  policies: number;
  /** One sketch full of the longest subject ids (`GROUP:` and two 128-character ids). */
  sketchBytes: number;
  /** One sketch full of ids as Telegram users have them (`USER:` and 10 digits). */
  typicalSketchBytes: number;
  /** The whole tally: counters and sketches for every policy, door and minute. */
  tallyBytes: number;
  /**
   * The tally, and the unsent batches kept while the object is unreachable: at most
   * MAX_UNSENT_ENTRIES rows and entries, or one batch (a tally) when that is larger.
   */
  boundBytes: number;
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function fullTally(policies: number, longIds = true): Tally {
  const tally = new Tally();
  for (let minute = 0; minute < MINUTES; minute++) {
    for (let p = 0; p < policies; p++) {
      for (const door of DOORS)
        tally.add(minute, `policy_${p}`, { door, bot: "", rule: "" }, ["checks"]);
      // Twice the capacity of distinct subjects: the sketch is full and keeps evicting.
      for (let s = 0; s < 2 * TOP_SUBJECTS_CAPACITY; s++) {
        const id = longIds
          ? `GROUP:${String(s).padStart(128, "u")}:${String(p).padStart(128, "c")}`
          : `USER:${1_000_000_000 + s}`;
        tally.limited(minute, `policy_${p}`, id);
      }
    }
  }
  return tally;
}

/** Heap held by a full tally of `MEMORY_POLICIES` policies over `MINUTES` minutes. */
function measure(longIds: boolean): number {
  const before = heapUsed();
  const tally = fullTally(MEMORY_POLICIES, longIds);
  const bytes = heapUsed() - before;
  // Keeps the tally alive until measured.
  if (tally.empty) throw new Error("the tally counted nothing");
  return bytes;
}

export function metricsMemory(): MemoryResult {
  const sketches = MEMORY_POLICIES * MINUTES;
  const typicalSketchBytes = measure(false) / sketches;
  const tallyBytes = measure(true);
  const entries = sketches * (DOORS.length + TOP_SUBJECTS_CAPACITY);
  const unsentBytes = Math.max(tallyBytes, (MAX_UNSENT_ENTRIES * tallyBytes) / entries);
  const result = {
    policies: MEMORY_POLICIES,
    sketchBytes: tallyBytes / sketches,
    typicalSketchBytes,
    tallyBytes,
    boundBytes: tallyBytes + unsentBytes,
  };
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `  metrics memory: ${kib(result.sketchBytes)} per full sketch ` +
      `(${kib(typicalSketchBytes)} with short ids), ${mib(tallyBytes)} for ` +
      `${MEMORY_POLICIES} policies over ${MINUTES} minutes, ${mib(result.boundBytes)} ` +
      "with the unsent batches kept",
  );
  return result;
}
