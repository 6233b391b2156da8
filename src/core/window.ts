import type { Decision } from "./decision.ts";

/** At most `maxCost` units of cost in any sliding `windowSeconds`. */
export interface WindowLimit {
  kind: "window";
  maxCost: number;
  windowSeconds: number;
}

/**
 * Most entries a log keeps. Every entry costs at least 1 and no window admits more than this
 * (the config caps `limit` at it), so the newest this many decide exactly as the whole log
 * would: if they all lie inside a window, it is full whatever is older.
 */
export const MAX_LOG_ENTRIES = 10_000;

/**
 * An exact sliding log of admissions, oldest first. Exact rather than the two-counter
 * approximation because a limit is a promise.
 *
 * Successive states share two append-only arrays and each sees its own slice
 * [start, end), so an admission appends in O(1) and expired entries slide out by moving
 * `start`, instead of copying the log on every decision. A state appended to from an older
 * slice (a branch) copies first, so every state stays immutable to whoever holds it.
 */
export interface WindowState {
  times: number[];
  costs: number[];
  start: number;
  end: number;
  /** Sum of the costs in [start, end). */
  used: number;
  /**
   * The longest window the log was decided under. Entries are kept that long, so a window
   * shortened and then lengthened again (a temporary override) still counts what was admitted
   * meanwhile: what was consumed stays consumed. Absent in logs written before it was kept.
   */
  keepMs?: number;
}

export interface WindowReceipt {
  atMs: number;
  cost: number;
}

const windowMsOf = (limit: WindowLimit) => limit.windowSeconds * 1000;

/** The slice of `state` worth keeping at `nowMs`: inside the longest window, and bounded. */
function slide(limit: WindowLimit, state: WindowState | undefined, nowMs: number): WindowState {
  const windowMs = windowMsOf(limit);
  if (state === undefined) {
    return { times: [], costs: [], start: 0, end: 0, used: 0, keepMs: windowMs };
  }
  const keepMs = Math.max(state.keepMs ?? windowMs, windowMs);
  const horizonMs = nowMs - keepMs;
  let { start, used } = state;
  while (
    start < state.end &&
    ((state.times[start] as number) <= horizonMs || state.end - start > MAX_LOG_ENTRIES)
  ) {
    used -= state.costs[start] as number;
    start++;
  }
  return start === state.start && keepMs === state.keepMs
    ? state
    : { ...state, start, used, keepMs };
}

/** Where the current window begins in `live`, and the cost inside it. */
function inWindow(limit: WindowLimit, live: WindowState, nowMs: number) {
  const horizonMs = nowMs - windowMsOf(limit);
  let first = live.start;
  let used = live.used;
  while (first < live.end && (live.times[first] as number) <= horizonMs) {
    used -= live.costs[first] as number;
    first++;
  }
  return { first, used };
}

function compactCopy(state: WindowState): WindowState {
  return {
    times: state.times.slice(state.start, state.end),
    costs: state.costs.slice(state.start, state.end),
    start: 0,
    end: state.end - state.start,
    used: state.used,
    keepMs: state.keepMs,
  };
}

/**
 * `live` with one more entry. Appends in place when `live` ends where its arrays end;
 * otherwise (a branch), or once what slid out outweighs what is live, it copies the live
 * slice first, so stored logs stay within about twice what is live.
 */
function appended(live: WindowState, atMs: number, cost: number): WindowState {
  const garbage = live.start >= 16 && live.start >= live.end - live.start;
  const base = live.end !== live.times.length || garbage ? compactCopy(live) : live;
  base.times.push(atMs);
  base.costs.push(cost);
  return {
    times: base.times,
    costs: base.costs,
    start: base.start,
    end: base.end + 1,
    used: base.used + cost,
    keepMs: live.keepMs,
  };
}

export function windowDecide(
  limit: WindowLimit,
  state: WindowState | undefined,
  cost: number,
  nowMs: number,
): Decision<WindowState, WindowReceipt> {
  const live = slide(limit, state, nowMs);
  const windowMs = windowMsOf(limit);
  const { first, used } = inWindow(limit, live, nowMs);
  if (used + cost > limit.maxCost) {
    // The earliest moment enough old cost has slid out for this one to fit.
    let freed = 0;
    let retryAfterMs = windowMs;
    for (let i = first; i < live.end; i++) {
      freed += live.costs[i] as number;
      if (used - freed + cost <= limit.maxCost) {
        retryAfterMs = (live.times[i] as number) + windowMs - nowMs;
        break;
      }
    }
    const newestMs = live.end > first ? (live.times[live.end - 1] as number) : nowMs - windowMs;
    return {
      allowed: false,
      quota: limit.maxCost,
      remaining: Math.max(0, limit.maxCost - used),
      retryAfterMs,
      resetMs: Math.max(0, newestMs + windowMs - nowMs),
      next: state,
      recoverAtMs: newestMs + windowMs,
    };
  }
  return {
    allowed: true,
    quota: limit.maxCost,
    remaining: limit.maxCost - used - cost,
    retryAfterMs: 0,
    resetMs: windowMs,
    next: appended(live, nowMs, cost),
    // Kept as long as its longest window counts it.
    recoverAtMs: nowMs + (live.keepMs ?? windowMs),
    receipt: { atMs: nowMs, cost },
  };
}

/**
 * Removes exactly the entry an admission added. The whole log, not the slice the refund's
 * limit would keep: a state written since under a longer window still counts older entries.
 */
export function windowRefund(
  state: WindowState | undefined,
  receipt: WindowReceipt,
): WindowState | undefined {
  if (state === undefined) return undefined;
  const live = compactCopy(state);
  for (let i = live.end - 1; i >= 0; i--) {
    if (live.times[i] === receipt.atMs && live.costs[i] === receipt.cost) {
      live.times.splice(i, 1);
      live.costs.splice(i, 1);
      live.end--;
      live.used -= receipt.cost;
      break;
    }
  }
  return live.end === 0 ? undefined : live;
}
