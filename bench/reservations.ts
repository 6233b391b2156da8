// Part 2's figure, from the storage run (bench/storage.ts): a 1,000-a-minute throttle stores
// its admissions ahead in batches of 50 tokens, so an admission the stored reservation covers
// writes nothing.
import type { Goal } from "./goal.ts";
import { STORAGE_KEY_POLICY } from "./policies-storage.ts";
import type { StorageResult } from "./storage.ts";

/** Rows written per admission for a 1,000-a-minute throttle: the goal. */
export const ROWS_PER_ADMISSION_GOAL = 0.1;

type Row = StorageResult["admissions"][number];

export interface ReservationResult {
  /** Each key admitted its whole bucket, its clock standing still. */
  drained: Row;
  /** One key admitted at half its rate: its bucket full again at each admission. */
  belowLimit: Row;
}

/** The keyed throttle's rows of a storage run, in the order the run writes them. */
export function reservationResult(storage: StorageResult): ReservationResult {
  const [drained, belowLimit] = storage.admissions.filter((w) => w.policy === STORAGE_KEY_POLICY);
  if (drained === undefined || belowLimit === undefined) {
    throw new Error(`the storage run lacks the rows of ${STORAGE_KEY_POLICY}`);
  }
  return { drained, belowLimit };
}

const per = (n: number, w: Row) => (n / w.admissions).toFixed(3);

export function reservationSection(r: ReservationResult): string {
  const rows = [r.drained, r.belowLimit].map(
    (w) =>
      `| ${w.label} | ${w.admissions.toLocaleString("en-US")} | ${w.rowsWritten} | ${w.alarmRows} | ${per(w.rowsWritten, w)} | ${per(w.objectCalls, w)} |`,
  );
  return `## 4a. Reservations: rows per admission of a 1,000-a-minute throttle

Inside workerd with the storage run (\`bench/storage.bench-test.ts\`), through the worker's
fetch handler. A throttle stores ahead a twentieth of its bucket (50 tokens) per write, so an
admission the stored reservation covers writes nothing. Drained: ${r.drained.objects} API keys each
admitted its whole bucket while its object's clock stands still. Below its limit: one key
admitted every 120 ms (half its rate), so its bucket is full again at each admission: a new
state begins each time, stored only once the stored reservation no longer covers it (a
reservation of 50 tokens holds for the 3 s its bucket takes to refill them).

| workload | admissions | rows written | of which alarms | rows per admission | object calls per admission |
|---|---|---|---|---|---|
${rows.join("\n")}
`;
}

export function reservationGoals(r: ReservationResult): Goal[] {
  return [r.drained, r.belowLimit].map((w): Goal => {
    const rows = w.rowsWritten / w.admissions;
    return [
      `4a. rows per admission, ${w.label}`,
      rows.toFixed(3),
      `≤ ${ROWS_PER_ADMISSION_GOAL}`,
      rows <= ROWS_PER_ADMISSION_GOAL,
    ];
  });
}
