// Runs a benchmark written as one vitest test inside workerd (its own vitest config), through
// vitest's Node API, and takes its numbers from the test's metadata under `key`.
import type { TaskMeta } from "vitest";
import { startVitest } from "vitest/node";
import { ROOT } from "../scripts/e2e/sandbox.ts";

export async function runInWorkerd<K extends keyof TaskMeta>(
  what: string,
  config: string,
  key: K,
  quick: boolean,
): Promise<NonNullable<TaskMeta[K]>> {
  process.env.BENCH_SCALE = quick ? "quick" : "full";
  const vitest = await startVitest([], {
    root: ROOT,
    config,
    watch: false,
    // Only failures: vitest's own report is noise beside the bench's.
    reporters: [{ onTestCaseResult: () => {} }],
  });
  try {
    const [test] = vitest.state.getTestModules().flatMap((m) => [...m.children.allTests()]);
    const result = test?.meta()[key];
    if (test === undefined || !test.ok() || result === undefined || result === null) {
      const errors = test?.result().errors ?? [];
      throw new Error(`${what} failed: ${errors.map((e) => e.message).join("; ")}`);
    }
    return result as NonNullable<TaskMeta[K]>;
  } finally {
    await vitest.close();
  }
}
