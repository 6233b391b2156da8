// Runs the storage benchmark (bench/storage.bench-test.ts) inside workerd through vitest's
// Node API, and takes its numbers from the test's metadata.
import { startVitest } from "vitest/node";
import { ROOT } from "../scripts/e2e/sandbox.ts";

interface Written {
  rowsWritten: number;
  /** Of rowsWritten, the clean-up alarms set. */
  alarmRows: number;
  objectCalls: number;
}

export interface StorageResult {
  admissions: ({ label: string; policy: string; objects: number; admissions: number } & Written)[];
  denials: { checks: number } & Written;
  flood: { checks: number } & Written;
  recovery: { objects: number; cleanupRows: number; rowsLeft: number; alarmsLeft: number };
}

declare module "vitest" {
  interface TaskMeta {
    storage?: StorageResult;
  }
}

export async function runStorage(quick: boolean): Promise<StorageResult> {
  process.env.BENCH_SCALE = quick ? "quick" : "full";
  const vitest = await startVitest([], {
    root: ROOT,
    config: "bench/vitest.storage.config.ts",
    watch: false,
    // Only failures: vitest's own report is noise beside the bench's.
    reporters: [{ onTestCaseResult: () => {} }],
  });
  try {
    const [test] = vitest.state.getTestModules().flatMap((m) => [...m.children.allTests()]);
    const result = test?.meta().storage;
    if (test === undefined || !test.ok() || result === undefined) {
      const errors = test?.result().errors ?? [];
      throw new Error(`the storage benchmark failed: ${errors.map((e) => e.message).join("; ")}`);
    }
    return result;
  } finally {
    await vitest.close();
  }
}
