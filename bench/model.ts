// Runs the production model (bench/model.bench-test.ts) inside workerd.
import { runInWorkerd } from "./in-workerd.ts";
import type { ModelResult } from "./model-types.ts";

export type { ModelResult, ModelRun } from "./model-types.ts";

export function runModel(quick: boolean): Promise<ModelResult> {
  return runInWorkerd("the production model", "bench/vitest.model.config.ts", "model", quick);
}
