/** Starts the console line that carries the numbers out of workerd. */
export const STORAGE_MARKER = "BENCH_STORAGE ";

/** What bench/storage.bench-test.ts measures, as it passes them to the bench runner. */
export interface StorageResult {
  admissions: StorageWorkload[];
  denials: { checks: number; objectCalls: number; rowsWritten: number; alarmRows: number };
  flood: { checks: number; objectCalls: number; rowsWritten: number; alarmRows: number };
  recovery: { objects: number; cleanupRows: number; rowsLeft: number; alarmsLeft: number };
}

export interface StorageWorkload {
  label: string;
  objects: number;
  admissions: number;
  rowsWritten: number;
  /** Objects with a clean-up alarm armed: one alarm row each. */
  alarmRows: number;
}
