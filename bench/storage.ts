// Runs the storage benchmark (bench/storage.bench-test.ts) inside workerd.
import { runInWorkerd } from "./in-workerd.ts";

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

export function runStorage(quick: boolean): Promise<StorageResult> {
  return runInWorkerd("the storage benchmark", "bench/vitest.storage.config.ts", "storage", quick);
}
