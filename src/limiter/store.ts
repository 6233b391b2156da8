import type { LimitState } from "../core/limits.ts";

/** A de-duplication claim, kept beside the limit states and swept like them. */
export interface ClaimState {
  claimedAtMs: number;
}

type Stored = LimitState | ClaimState;

/**
 * The clean-up alarm fires at least this often while anything is stored, so a state that
 * recovers soon is not kept for as long as a long-lived neighbour (a 24-hour claim), and
 * at most one alarm write per object per hour is spent on it while an object stays busy.
 */
export const SWEEP_AT_LEAST_EVERY_MS = 3600 * 1000;

/** What is stored under a state key: the state, and when it will have fully recovered. */
export interface StoredState {
  state: Stored;
  recoverAtMs: number;
}

/**
 * The object's states: in memory, loaded from storage on first use, written back with the
 * synchronous SQLite KV API. No `await` between a decision and its writes, so the writes of
 * one call coalesce into one transaction and the output gate releases the answer only once
 * they are durable: a memory lost to eviction or deploy never resets a limit.
 */
export class StateStore {
  private readonly cache = new Map<string, StoredState | null>();
  /** When the clean-up alarm is due; null when none is set. */
  private alarmAtMs: number | null;

  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage, alarmAtMs: number | null) {
    this.storage = storage;
    this.alarmAtMs = alarmAtMs;
  }

  /** The state under `key`; callers key each kind of state apart, so the cast holds. */
  get(key: string, nowMs: number): LimitState | undefined {
    return this.live(key, nowMs)?.state as LimitState | undefined;
  }

  has(key: string, nowMs: number): boolean {
    return this.live(key, nowMs) !== undefined;
  }

  private live(key: string, nowMs: number): StoredState | undefined {
    let entry = this.cache.get(key);
    if (entry === undefined) {
      entry = (this.storage.kv.get<StoredState>(key) as StoredState | undefined) ?? null;
      this.cache.set(key, entry);
    }
    // A state past its recovery is as good as fresh, whether or not the alarm has run.
    return entry !== null && entry.recoverAtMs > nowMs ? entry : undefined;
  }

  /** Keeps `state`, or deletes the key when the state is indistinguishable from fresh. */
  put(key: string, state: Stored | undefined, recoverAtMs: number): void {
    const had = this.cache.get(key);
    if (state === undefined) {
      this.cache.set(key, null);
      if (had !== null) {
        this.storage.kv.delete(key);
      }
      return;
    }
    const entry = { state, recoverAtMs };
    this.cache.set(key, entry);
    this.storage.kv.put(key, entry);
    // One alarm per object: set it only when none is pending. When it fires it deletes what
    // has recovered and re-arms for the rest, so busy objects do not pay a write per call.
    if (this.alarmAtMs === null) {
      this.arm(Math.min(recoverAtMs, Date.now() + SWEEP_AT_LEAST_EVERY_MS));
    }
  }

  /**
   * Keeps `state` under the recovery time already stored. Only for changes that give
   * capacity back (refunds), whose true recovery is no later than before: deleting at the
   * old time is then never early, so it never resets a limit.
   */
  replace(key: string, state: Stored | undefined): void {
    const had = this.cache.get(key);
    this.put(key, state, had ? had.recoverAtMs : 0);
  }

  delete(key: string): void {
    this.put(key, undefined, 0);
  }

  /** Deletes every recovered state; returns when the next clean-up is due, if any. */
  sweep(nowMs: number): number | null {
    let next: number | null = null;
    for (const [key, entry] of this.storage.kv.list<StoredState>()) {
      const stored = entry as StoredState;
      if (stored.recoverAtMs <= nowMs) {
        this.storage.kv.delete(key);
        this.cache.set(key, null);
      } else {
        next = Math.max(next ?? 0, stored.recoverAtMs);
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
