import type { Decision } from "./decision.ts";

/** At most `limit` units of cost in any sliding `windowSeconds`. */
export interface WindowLimit {
  kind: "window";
  limit: number;
  windowSeconds: number;
}

/**
 * An exact sliding log: each admission as [atMs, cost], oldest first, at most one entry per
 * millisecond. Exact rather than the two-counter approximation because a bot's windows are
 * small (tens of events), and the log's size is bounded by `limit` (itself capped at 10,000
 * by the config), so exactness costs little.
 */
export interface WindowState {
  entries: [atMs: number, cost: number][];
}

export interface WindowReceipt {
  atMs: number;
  cost: number;
}

function live(limit: WindowLimit, state: WindowState | undefined, nowMs: number) {
  const windowMs = limit.windowSeconds * 1000;
  const entries = (state?.entries ?? []).filter(([atMs]) => atMs + windowMs > nowMs);
  const used = entries.reduce((sum, [, cost]) => sum + cost, 0);
  return { entries, used, windowMs };
}

function stateOf(entries: [number, number][]): WindowState | undefined {
  return entries.length === 0 ? undefined : { entries };
}

export function windowDecide(
  limit: WindowLimit,
  state: WindowState | undefined,
  cost: number,
  nowMs: number,
): Decision<WindowState, WindowReceipt> {
  const { entries, used, windowMs } = live(limit, state, nowMs);
  if (used + cost > limit.limit) {
    // The earliest moment enough old cost has slid out for this one to fit.
    let freed = 0;
    let retryAfterMs = windowMs;
    for (const [atMs, entryCost] of entries) {
      freed += entryCost;
      if (used - freed + cost <= limit.limit) {
        retryAfterMs = atMs + windowMs - nowMs;
        break;
      }
    }
    const newest = entries.at(-1);
    return {
      allowed: false,
      limit: limit.limit,
      remaining: Math.max(0, limit.limit - used),
      retryAfterMs,
      resetMs: newest ? newest[0] + windowMs - nowMs : 0,
      next: state,
      recoverAtMs: newest ? newest[0] + windowMs : nowMs,
    };
  }
  const last = entries.at(-1);
  const next: [number, number][] =
    last && last[0] === nowMs
      ? [...entries.slice(0, -1), [nowMs, last[1] + cost]]
      : [...entries, [nowMs, cost]];
  return {
    allowed: true,
    limit: limit.limit,
    remaining: limit.limit - used - cost,
    retryAfterMs: 0,
    resetMs: windowMs,
    next: stateOf(next),
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
  const { entries } = live(limit, state, nowMs);
  const refunded = entries
    .map(([atMs, cost]): [number, number] =>
      atMs === receipt.atMs ? [atMs, Math.max(0, cost - receipt.cost)] : [atMs, cost],
    )
    .filter(([, cost]) => cost > 0);
  return stateOf(refunded);
}
