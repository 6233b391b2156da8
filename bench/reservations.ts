// Part 2's figure, from the storage run (bench/storage.ts): a 1,000-a-minute throttle stores
// its admissions ahead in batches, so most admissions write nothing.
import type { Goal } from "./goal.ts";
import { STORAGE_KEY_POLICY } from "./policies-storage.ts";
import type { StorageResult } from "./storage.ts";

/** Rows written per admission for a 1,000-a-minute throttle: the goal. */
export const ROWS_PER_ADMISSION_GOAL = 0.1;

export interface ReservationResult {
  label: string;
  objects: number;
  admissions: number;
  rowsWritten: number;
  alarmRows: number;
  objectCalls: number;
}

/** The keyed throttle's row of a storage run. */
export function reservationResult(storage: StorageResult): ReservationResult {
  const row = storage.admissions.find((w) => w.policy === STORAGE_KEY_POLICY);
  if (row === undefined) throw new Error(`the storage run has no row for ${STORAGE_KEY_POLICY}`);
  const { label, objects, admissions, rowsWritten, alarmRows, objectCalls } = row;
  return { label, objects, admissions, rowsWritten, alarmRows, objectCalls };
}

export function reservationSection(r: ReservationResult): string {
  const per = (n: number) => (n / r.admissions).toFixed(3);
  return `### Reservations: rows per admission of a 1,000-a-minute throttle

Inside workerd with the storage run (\`bench/storage.bench-test.ts\`): ${r.objects} API keys,
each admitted its whole bucket of 1,000 while its object's clock stands still. A throttle
stores ahead a twentieth of its bucket (50 tokens) per write, so an admission the stored
reservation covers writes nothing.

| admissions | rows written | of which alarms | rows per admission | object calls per admission |
|---|---|---|---|---|
| ${r.admissions.toLocaleString("en-US")} | ${r.rowsWritten} | ${r.alarmRows} | ${per(r.rowsWritten)} | ${per(r.objectCalls)} |
`;
}

export function reservationGoals(r: ReservationResult): Goal[] {
  const rows = r.rowsWritten / r.admissions;
  return [
    [
      `2. rows per admission, ${r.label}`,
      rows.toFixed(3),
      `≤ ${ROWS_PER_ADMISSION_GOAL}`,
      rows <= ROWS_PER_ADMISSION_GOAL,
    ],
  ];
}
