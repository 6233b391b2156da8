import type { LimitState } from "../core/limits.ts";

// What an object stores, and for how long.

/** A de-duplication claim, kept beside the limit states and swept like them. */
export interface ClaimState {
  claimedAtMs: number;
}

/** A group's verdict (see protocol.ts, GroupCall); null while its first update is decided. */
export interface GroupVerdict {
  admitted: boolean | null;
}

export type Stored = LimitState | ClaimState | GroupVerdict;

/**
 * The clean-up alarm fires at least this often while anything is stored, so a state that
 * recovers soon is not kept for as long as a long-lived neighbour (a 24-hour claim), and
 * at most one alarm write per object per hour is spent on it while an object stays busy.
 */
export const SWEEP_AT_LEAST_EVERY_MS = 3600 * 1000;

/**
 * How long a state outlives its recovery before the sweep deletes it. Recovery is computed
 * under the limit the state was last decided with; a limit tightened while its subject is
 * idle is only learnt at the subject's next check, and the state must still be there then to
 * be decided exactly. So a subject that returns within this long after its old recovery is
 * held to the new limit from its true state; one idle for longer starts afresh.
 */
export const KEEP_AFTER_RECOVERY_MS = 24 * 3600 * 1000;

/**
 * How long memory may stay ahead of storage before the alarm writes it down: well inside the
 * ~10 s after which an idle object may hibernate and lose its memory.
 */
export const FLUSH_AHEAD_MS = 5_000;

/**
 * The layout of stored rows. Rows without a version are version 1, which had the same
 * fields. A row of a later version (after a rollback) is refused rather than misread.
 */
export const STORED_VERSION = 2;

/** What is stored under a state key: the state, and when it will have fully recovered. */
export interface StoredState {
  v?: number;
  state: Stored;
  recoverAtMs: number;
}

export function readable(key: string, row: StoredState): StoredState {
  const version = row.v ?? 1;
  if (version > STORED_VERSION) {
    throw new Error(
      `state ${key} is stored in layout ${version}; this code reads up to ${STORED_VERSION}`,
    );
  }
  return row;
}
