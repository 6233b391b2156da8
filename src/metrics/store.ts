import { SpaceSaving } from "../core/space-saving.ts";
import {
  COUNTERS,
  type CountRow,
  GATEWAY_COUNTERS,
  type GatewayRow,
  type MetricsBatch,
  type SubjectRow,
} from "./counts.ts";
import { TOP_SUBJECTS_CAPACITY } from "./tally.ts";

const snake = (name: string) => name.replace(/[A-Z0-9]+/g, (part) => `_${part.toLowerCase()}`);
const columns = (names: readonly string[]) => names.map(snake);
const COUNT_COLUMNS = columns(COUNTERS);
const GATEWAY_COLUMNS = columns(GATEWAY_COUNTERS);
const integers = (cols: string[]) => cols.map((col) => `${col} INTEGER NOT NULL`).join(", ");
const additions = (cols: string[]) => cols.map((col) => `${col} = ${col} + excluded.${col}`);

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS counts (minute INTEGER NOT NULL, policy TEXT NOT NULL,
    door TEXT NOT NULL, bot TEXT NOT NULL, rule TEXT NOT NULL, ${integers(COUNT_COLUMNS)},
    PRIMARY KEY (minute, policy, door, bot, rule)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS totals (policy TEXT NOT NULL, door TEXT NOT NULL,
    bot TEXT NOT NULL, rule TEXT NOT NULL, ${integers(COUNT_COLUMNS)},
    PRIMARY KEY (policy, door, bot, rule)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS subjects (minute INTEGER NOT NULL, policy TEXT NOT NULL,
    total INTEGER NOT NULL, entries TEXT NOT NULL, PRIMARY KEY (minute, policy)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS gateway (minute INTEGER NOT NULL, bot TEXT NOT NULL,
    ${integers(GATEWAY_COLUMNS)}, PRIMARY KEY (minute, bot)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS gateway_totals (bot TEXT NOT NULL PRIMARY KEY,
    ${integers(GATEWAY_COLUMNS)}) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS batches (id TEXT NOT NULL PRIMARY KEY, at_ms INTEGER NOT NULL)`,
];

function upsert(table: string, keys: string[], cols: string[]): string {
  const all = [...keys, ...cols];
  return `INSERT INTO ${table} (${all.join(", ")}) VALUES (${all.map(() => "?").join(", ")})
    ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${additions(cols).join(", ")}`;
}

const WHERE_KEYS = ["policy", "door", "bot", "rule"];
const UPSERT_COUNTS = upsert("counts", ["minute", ...WHERE_KEYS], COUNT_COLUMNS);
const UPSERT_TOTALS = upsert("totals", WHERE_KEYS, COUNT_COLUMNS);
const UPSERT_GATEWAY = upsert("gateway", ["minute", "bot"], GATEWAY_COLUMNS);
const UPSERT_GATEWAY_TOTALS = upsert("gateway_totals", ["bot"], GATEWAY_COLUMNS);

/** A row read back with camelCase counter names. */
function camel<T>(row: Record<string, SqlStorageValue>, names: readonly string[]): T {
  const out: Record<string, SqlStorageValue> = { ...row };
  for (const name of names) {
    const col = snake(name);
    if (col !== name) {
      out[name] = row[col] ?? 0;
      delete out[col];
    }
  }
  return out as T;
}

/**
 * The aggregate in SQLite: counts per minute (kept `retainMinutes`), cumulative totals for
 * Prometheus (kept for good), one Space-Saving sketch of limited subjects per policy and
 * minute (kept `subjectMinutes`), and the ids of the batches applied (kept an hour).
 */
export class MetricsStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
  }

  /** Applies a batch unless it was applied before; true when it was applied now. */
  apply(batch: MetricsBatch, nowMs: number): boolean {
    if (this.sql.exec("SELECT 1 FROM batches WHERE id = ?", batch.id).toArray().length > 0) {
      return false;
    }
    this.sql.exec("INSERT INTO batches (id, at_ms) VALUES (?, ?)", batch.id, nowMs);
    for (const row of batch.counts) this.addCounts(row);
    for (const row of batch.subjects) this.addSubjects(row);
    for (const row of batch.gateway) {
      const values = GATEWAY_COUNTERS.map((name) => row[name]);
      this.sql.exec(UPSERT_GATEWAY, row.minute, row.bot, ...values);
      this.sql.exec(UPSERT_GATEWAY_TOTALS, row.bot, ...values);
    }
    return true;
  }

  prune(oldestMinute: number, oldestSubjectMinute: number, oldestBatchMs: number): void {
    this.sql.exec("DELETE FROM counts WHERE minute < ?", oldestMinute);
    this.sql.exec("DELETE FROM gateway WHERE minute < ?", oldestMinute);
    this.sql.exec("DELETE FROM subjects WHERE minute < ?", oldestSubjectMinute);
    this.sql.exec("DELETE FROM batches WHERE at_ms < ?", oldestBatchMs);
  }

  counts(fromMinute: number, toMinute: number): CountRow[] {
    return this.minutes<CountRow>("counts", COUNTERS, fromMinute, toMinute);
  }

  gateway(fromMinute: number, toMinute: number): GatewayRow[] {
    return this.minutes<GatewayRow>("gateway", GATEWAY_COUNTERS, fromMinute, toMinute);
  }

  subjects(fromMinute: number, toMinute: number): SubjectRow[] {
    const cursor = this.sql.exec<{
      minute: number;
      policy: string;
      total: number;
      entries: string;
    }>(
      "SELECT minute, policy, total, entries FROM subjects WHERE minute BETWEEN ? AND ?",
      fromMinute,
      toMinute,
    );
    return cursor.toArray().map((row) => ({ ...row, entries: JSON.parse(row.entries) }));
  }

  totals(): { counts: Omit<CountRow, "minute">[]; gateway: Omit<GatewayRow, "minute">[] } {
    const counts = this.sql.exec("SELECT * FROM totals ORDER BY policy, door, bot, rule");
    const gateway = this.sql.exec("SELECT * FROM gateway_totals ORDER BY bot");
    return {
      counts: counts.toArray().map((row) => camel(row, COUNTERS)),
      gateway: gateway.toArray().map((row) => camel(row, GATEWAY_COUNTERS)),
    };
  }

  private minutes<T>(table: string, names: readonly string[], from: number, to: number): T[] {
    const cursor = this.sql.exec(
      `SELECT * FROM ${table} WHERE minute BETWEEN ? AND ? ORDER BY minute`,
      from,
      to,
    );
    return cursor.toArray().map((row) => camel<T>(row, names));
  }

  private addCounts(row: CountRow): void {
    const values = COUNTERS.map((name) => row[name]);
    const where = [row.policy, row.door, row.bot, row.rule];
    this.sql.exec(UPSERT_COUNTS, row.minute, ...where, ...values);
    this.sql.exec(UPSERT_TOTALS, ...where, ...values);
  }

  // The minute's sketch, fed the isolate's entries as weights (core/space-saving.ts).
  private addSubjects(row: SubjectRow): void {
    const sketch = new SpaceSaving(TOP_SUBJECTS_CAPACITY);
    const [stored] = this.subjects(row.minute, row.minute).filter((s) => s.policy === row.policy);
    if (stored !== undefined) sketch.addAll(stored.entries);
    sketch.addAll(row.entries);
    this.sql.exec(
      `INSERT INTO subjects (minute, policy, total, entries) VALUES (?, ?, ?, ?)
        ON CONFLICT (minute, policy) DO UPDATE SET total = excluded.total, entries = excluded.entries`,
      row.minute,
      row.policy,
      (stored?.total ?? 0) + row.total,
      JSON.stringify(sketch.top()),
    );
  }
}
