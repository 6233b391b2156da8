import type { Decision } from "./decision.ts";

/** At most `maxCost` units of cost in any sliding `windowSeconds`. */
export interface WindowLimit {
  kind: "window";
  maxCost: number;
  windowSeconds: number;
}

/**
 * An exact sliding log of admissions, oldest first. Exact rather than the two-counter
 * approximation because a limit is a promise; the log is bounded by `maxCost` entries (itself
 * capped at 10,000 by the config), since every entry costs at least 1.
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
}

export interface WindowReceipt {
  atMs: number;
  cost: number;
}

/** The slice of `state` still inside the window at `nowMs`. */
function slide(limit: WindowLimit, state: WindowState | undefined, nowMs: number): WindowState {
  if (state === undefined) return { times: [], costs: [], start: 0, end: 0, used: 0 };
  const horizonMs = nowMs - limit.windowSeconds * 1000;
  let { start, used } = state;
  while (start < state.end && (state.times[start] as number) <= horizonMs) {
    used -= state.costs[start] as number;
    start++;
  }
  return start === state.start ? state : { ...state, start, used };
}

function compactCopy(state: WindowState): WindowState {
  return {
    times: state.times.slice(state.start, state.end),
    costs: state.costs.slice(state.start, state.end),
    start: 0,
    end: state.end - state.start,
    used: state.used,
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
  };
}

export function windowDecide(
  limit: WindowLimit,
  state: WindowState | undefined,
  cost: number,
  nowMs: number,
): Decision<WindowState, WindowReceipt> {
  const live = slide(limit, state, nowMs);
  const windowMs = limit.windowSeconds * 1000;
  if (live.used + cost > limit.maxCost) {
    // The earliest moment enough old cost has slid out for this one to fit.
    let freed = 0;
    let retryAfterMs = windowMs;
    for (let i = live.start; i < live.end; i++) {
      freed += live.costs[i] as number;
      if (live.used - freed + cost <= limit.maxCost) {
        retryAfterMs = (live.times[i] as number) + windowMs - nowMs;
        break;
      }
    }
    const newestMs =
      live.end > live.start ? (live.times[live.end - 1] as number) : nowMs - windowMs;
    return {
      allowed: false,
      quota: limit.maxCost,
      remaining: Math.max(0, limit.maxCost - live.used),
      retryAfterMs,
      resetMs: Math.max(0, newestMs + windowMs - nowMs),
      next: state,
      recoverAtMs: newestMs + windowMs,
    };
  }
  return {
    allowed: true,
    quota: limit.maxCost,
    remaining: limit.maxCost - live.used - cost,
    retryAfterMs: 0,
    resetMs: windowMs,
    next: appended(live, nowMs, cost),
    recoverAtMs: nowMs + windowMs,
    receipt: { atMs: nowMs, cost },
  };
}

export function windowRefund(
  limit: WindowLimit,
  state: WindowState | undefined,
  receipt: WindowReceipt,
  nowMs: number,
): WindowState | undefined {
  const live = compactCopy(slide(limit, state, nowMs));
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
