import type { LimitState } from "../core/limits.ts";
import {
  type ClaimState,
  FLUSH_AHEAD_MS,
  type GroupVerdict,
  KEEP_AFTER_RECOVERY_MS,
  readable,
  STORED_VERSION,
  type Stored,
  type StoredState,
  SWEEP_AT_LEAST_EVERY_MS,
} from "./rows.ts";

export type { ClaimState, GroupVerdict, StoredState } from "./rows.ts";
export { FLUSH_AHEAD_MS, KEEP_AFTER_RECOVERY_MS, STORED_VERSION } from "./rows.ts";

/**
 * The object's states: in memory, loaded from storage on first use, written back with the
 * synchronous SQLite KV API. No `await` between a decision and its writes, so the writes of
 * one call coalesce into one transaction and the output gate releases the answer only once
 * they are durable: a memory lost to eviction or deploy never resets a limit.
 */
export class StateStore {
  private readonly cache = new Map<string, StoredState | null>();
  /**
   * States memory holds ahead of storage: admissions a stored reservation already covers
   * (core/throttle.ts, `throttleReservation`). Storage is always at least as consumed, so
   * losing these to an eviction can only under-admit, by at most one reservation.
   */
  private readonly ahead = new Map<string, { state: Stored; recoverAtMs: number }>();
  /** When the clean-up alarm is due; null when none is set. */
  private alarmAtMs: number | null;

  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage, alarmAtMs: number | null) {
    this.storage = storage;
    this.alarmAtMs = alarmAtMs;
  }

  /**
   * The state under `key`, even past its recovery: only the limit in force can tell whether
   * it has recovered, and the algorithms that take it decide that from its times.
   * Callers key each kind of state apart, so the cast holds.
   */
  get(key: string): LimitState | undefined {
    return (this.ahead.get(key)?.state ?? this.row(key)?.state) as LimitState | undefined;
  }

  /** What storage holds under `key`: the state a restart would resume from. */
  stored(key: string): LimitState | undefined {
    return this.row(key)?.state as LimitState | undefined;
  }

  /**
   * Memory moves on to `state`; storage keeps the reservation that already covers it. Within
   * `FLUSH_AHEAD_MS` the clean-up alarm writes memory down, before an idle object is
   * evicted, so routine evictions lose nothing; only a crash or a deploy in that time can.
   */
  keepAhead(key: string, state: Stored | undefined, recoverAtMs: number, nowMs: number): void {
    if (state === undefined) {
      this.ahead.delete(key);
      return;
    }
    this.ahead.set(key, { state, recoverAtMs });
    const flushAtMs = nowMs + FLUSH_AHEAD_MS;
    if (this.alarmAtMs === null || this.alarmAtMs > flushAtMs) this.arm(flushAtMs);
  }

  /** Memory resumes from storage, giving up its lead (after a limit changed). */
  dropAhead(key: string): void {
    this.ahead.delete(key);
  }

  /** Memory moves on to `state`; storage takes `reserved`, at least as consumed. */
  putAhead(
    key: string,
    state: Stored | undefined,
    recoverAtMs: number,
    reserved: Stored | undefined,
    reservedRecoverAtMs: number,
    nowMs: number,
  ): void {
    this.write(key, reserved, reservedRecoverAtMs, nowMs);
    if (state === reserved) this.ahead.delete(key);
    else this.keepAhead(key, state, recoverAtMs, nowMs);
  }

  /** A claim, which is not a limit: it holds until its own expiry. */
  has(key: string, nowMs: number): boolean {
    return this.claimed(key, nowMs) !== undefined;
  }

  /** What a claim or a verdict holds, until its own expiry. Callers key them apart. */
  claimed<T extends ClaimState | GroupVerdict>(key: string, nowMs: number): T | undefined {
    const row = this.row(key);
    return row !== undefined && row.recoverAtMs > nowMs ? (row.state as T) : undefined;
  }

  /** When the state under `key` will have fully recovered, as stored; undefined if none. */
  recoverAtMs(key: string): number | undefined {
    return this.row(key)?.recoverAtMs;
  }

  /** The keys under `prefix` whose states have not yet recovered, read from storage. */
  liveKeys(prefix: string, nowMs: number): string[] {
    const keys: string[] = [];
    for (const [key, row] of this.storage.kv.list<StoredState>({ prefix })) {
      if ((row as StoredState).recoverAtMs > nowMs) keys.push(key);
    }
    return keys;
  }

  private row(key: string): StoredState | undefined {
    let entry = this.cache.get(key);
    if (entry === undefined) {
      const stored = this.storage.kv.get<StoredState>(key) as StoredState | undefined;
      entry = stored === undefined ? null : readable(key, stored);
      this.cache.set(key, entry);
    }
    return entry ?? undefined;
  }

  /** Keeps `state`, or deletes the key when the state is indistinguishable from fresh. */
  put(key: string, state: Stored | undefined, recoverAtMs: number, nowMs: number): void {
    this.ahead.delete(key);
    this.write(key, state, recoverAtMs, nowMs);
  }

  /** Writes the stored row only; memory ahead of it, if any, stays. */
  private write(key: string, state: Stored | undefined, recoverAtMs: number, nowMs: number) {
    const had = this.cache.get(key);
    if (state === undefined) {
      this.cache.set(key, null);
      if (had !== null) this.storage.kv.delete(key);
      return;
    }
    const entry: StoredState = { v: STORED_VERSION, state, recoverAtMs };
    this.cache.set(key, entry);
    this.storage.kv.put(key, entry);
    // One alarm per object: set it only when none is pending. When it fires it deletes what
    // has recovered and re-arms for the rest, so busy objects do not pay a write per call.
    if (this.alarmAtMs === null) {
      this.arm(Math.min(recoverAtMs + KEEP_AFTER_RECOVERY_MS, nowMs + SWEEP_AT_LEAST_EVERY_MS));
    }
  }

  /**
   * A decision that changed nothing (a denial) may still find, under a limit tightened since
   * the state was written, that it recovers later than stored: the later time is kept, so
   * the sweep never deletes it early. Writes only then, so denials stay free otherwise.
   */
  extendRecovery(key: string, recoverAtMs: number, nowMs: number): void {
    const row = this.row(key);
    if (row !== undefined && recoverAtMs > row.recoverAtMs) {
      this.write(key, row.state, recoverAtMs, nowMs);
    }
  }

  /**
   * Keeps `state` under the recovery time already stored. Only for changes that give
   * capacity back (refunds), whose true recovery is no later than before: deleting at the
   * old time is then never early, so it never resets a limit.
   */
  replace(key: string, state: Stored | undefined, nowMs: number): void {
    const had = this.cache.get(key);
    this.put(key, state, had ? had.recoverAtMs : 0, nowMs);
  }

  delete(key: string): void {
    this.put(key, undefined, 0, 0);
  }

  /**
   * Writes down what memory holds ahead of storage, then deletes every state long recovered;
   * returns when the next clean-up is due, if any.
   */
  sweep(nowMs: number): number | null {
    for (const [key, { state, recoverAtMs }] of this.ahead) {
      this.write(key, state, recoverAtMs, nowMs);
    }
    this.ahead.clear();
    let next: number | null = null;
    for (const [key, entry] of this.storage.kv.list<StoredState>()) {
      const row = entry as StoredState;
      // A claim is no limit: nothing can tighten it, so it goes at its own expiry.
      const keepMs = "claimedAtMs" in row.state ? 0 : KEEP_AFTER_RECOVERY_MS;
      const deleteAtMs = row.recoverAtMs + keepMs;
      if (deleteAtMs <= nowMs) {
        this.storage.kv.delete(key);
        this.cache.set(key, null);
        this.ahead.delete(key);
      } else {
        // The latest, capped below: one alarm write an hour at most, whatever is stored.
        next = Math.max(next ?? 0, deleteAtMs);
      }
    }
    this.alarmAtMs = null;
    if (next !== null) this.arm(Math.min(next, nowMs + SWEEP_AT_LEAST_EVERY_MS));
    return this.alarmAtMs;
  }

  private arm(atMs: number): void {
    this.alarmAtMs = atMs;
    void this.storage.setAlarm(atMs);
  }
}
