// Runs the production model (bench/model.bench-test.ts) inside workerd through vitest's Node
// API, and takes its numbers from the test's metadata.
import { startVitest } from "vitest/node";
import { ROOT } from "../scripts/e2e/sandbox.ts";
import type { ModelResult } from "./model-types.ts";

export type { ModelResult, ModelRun } from "./model-types.ts";

export async function runModel(quick: boolean): Promise<ModelResult> {
  process.env.BENCH_SCALE = quick ? "quick" : "full";
  const vitest = await startVitest([], {
    root: ROOT,
    config: "bench/vitest.model.config.ts",
    watch: false,
    // Only failures: vitest's own report is noise beside the bench's.
    reporters: [{ onTestCaseResult: () => {} }],
  });
  try {
    const [test] = vitest.state.getTestModules().flatMap((m) => [...m.children.allTests()]);
    const result = test?.meta().model;
    if (test === undefined || !test.ok() || result === undefined) {
      const errors = test?.result().errors ?? [];
      throw new Error(`the production model failed: ${errors.map((e) => e.message).join("; ")}`);
    }
    return result;
  } finally {
    await vitest.close();
  }
}
