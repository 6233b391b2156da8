import { SpaceSaving } from "../core/space-saving.ts";
import {
  addInto,
  type Counter,
  type CountRow,
  type GatewayCounts,
  type GatewayRow,
  type MetricsBatch,
  type SubjectRow,
  type Where,
  zeroCounts,
  zeroGatewayCounts,
} from "./counts.ts";

/**
 * Counters in one Space-Saving sketch of a policy's limited subjects, per minute: every
 * subject limited more than 1/100 of that policy's limited checks is kept (see
 * core/space-saving.ts for the bound).
 */
export const TOP_SUBJECTS_CAPACITY = 100;

const SEP = "\u0000";

/**
 * What one isolate counted since its last flush. Bounded: one row per policy, door, bot and
 * rule (all named by the config) per minute, and one sketch of at most
 * `TOP_SUBJECTS_CAPACITY` subjects per policy per minute.
 */
export class Tally {
  private counts = new Map<string, CountRow>();
  private subjects = new Map<string, { minute: number; policy: string; sketch: SpaceSaving }>();
  private gateway = new Map<string, GatewayRow>();

  get empty(): boolean {
    return this.counts.size === 0 && this.subjects.size === 0 && this.gateway.size === 0;
  }

  add(minute: number, policy: string, where: Where, counters: readonly Counter[]): void {
    const key = `${minute}${SEP}${policy}${SEP}${where.door}${SEP}${where.bot}${SEP}${where.rule}`;
    let row = this.counts.get(key);
    if (row === undefined) {
      row = { minute, policy, ...where, ...zeroCounts() };
      this.counts.set(key, row);
    }
    for (const counter of counters) row[counter]++;
  }

  limited(minute: number, policy: string, subject: string): void {
    const key = `${minute}${SEP}${policy}`;
    let entry = this.subjects.get(key);
    if (entry === undefined) {
      entry = { minute, policy, sketch: new SpaceSaving(TOP_SUBJECTS_CAPACITY) };
      this.subjects.set(key, entry);
    }
    entry.sketch.add(subject);
  }

  addGateway(minute: number, bot: string, counts: Partial<GatewayCounts>): void {
    const key = `${minute}${SEP}${bot}`;
    let row = this.gateway.get(key);
    if (row === undefined) {
      row = { minute, bot, ...zeroGatewayCounts() };
      this.gateway.set(key, row);
    }
    addInto(row, counts);
  }

  /** Everything counted, as a batch; the tally starts empty again. */
  drain(id: string): MetricsBatch {
    const subjects: SubjectRow[] = [...this.subjects.values()].map(
      ({ minute, policy, sketch }) => ({
        minute,
        policy,
        total: sketch.total,
        entries: sketch.top(),
      }),
    );
    const batch = {
      id,
      counts: [...this.counts.values()],
      subjects,
      gateway: [...this.gateway.values()],
    };
    this.counts = new Map();
    this.subjects = new Map();
    this.gateway = new Map();
    return batch;
  }
}
