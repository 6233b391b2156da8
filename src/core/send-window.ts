/**
 * At most `max` sends in any `windowMs`, counted as Telegram counts a group or a whole bot:
 * a sliding count, not a bucket that refills mid-window. Two sends exactly `windowMs` apart
 * are in different windows.
 */
export interface SendWindow {
  max: number;
  windowMs: number;
  /** Sends at least this far apart, so that a burst leaves as a stream, not at one instant. */
  spacingMs?: number;
}

/**
 * The send times a window counts, in milliseconds, sorted: those already sent and those
 * handed out ahead. A call reserves a time that may lie before others already reserved (a
 * chat that was idle need not queue behind a busy one), so the log is searched, not appended.
 */
export type SendLog = number[];

/** The first index whose time is at least `atMs`. */
function lowerBound(log: readonly number[], atMs: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((log[mid] as number) < atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const countIn = (log: readonly number[], fromMs: number, toMs: number) =>
  lowerBound(log, toMs) - lowerBound(log, fromMs);

/**
 * Whether `cost` sends at `atMs` keep every window that would hold them and the spacing; if
 * not, the time before which none can: past the end of every full window that holds `atMs`,
 * and the spacing after the sends too close to it. Only windows
 * starting at `atMs` or at a logged send need checking: any other window holding `atMs`
 * holds no more than one of those.
 */
function blockedUntil(
  log: readonly number[],
  { max, windowMs, spacingMs = 0 }: SendWindow,
  atMs: number,
  cost: number,
): number | undefined {
  let until: number | undefined;
  // Too close to a send on either side: past the last of those by the spacing.
  const near = lowerBound(log, atMs + spacingMs) - 1;
  if (spacingMs > 0 && near >= 0 && (log[near] as number) > atMs - spacingMs) {
    until = (log[near] as number) + spacingMs;
  }
  const check = (startMs: number) => {
    if (countIn(log, startMs, startMs + windowMs) + cost > max) {
      until = Math.max(until ?? startMs + windowMs, startMs + windowMs);
    }
  };
  check(atMs);
  let previous: number | undefined;
  for (let i = lowerBound(log, atMs - windowMs + 1); i < log.length; i++) {
    const startMs = log[i] as number;
    if (startMs > atMs) break;
    if (startMs !== previous) check(startMs);
    previous = startMs;
  }
  return until;
}

/**
 * The earliest time from `fromMs` at which `cost` more sends keep the window. A cost above
 * `max` counts as `max`, so that no call is refused for ever.
 */
export function earliestInWindow(
  log: readonly number[],
  window: SendWindow,
  fromMs: number,
  cost: number,
): number {
  const counted = Math.min(cost, window.max);
  let atMs = fromMs;
  for (;;) {
    const until = blockedUntil(log, window, atMs, counted);
    if (until === undefined) return atMs;
    atMs = until;
  }
}

/** Counts `cost` sends at `atMs` (in place; the log stays sorted). */
export function addSends(log: SendLog, window: SendWindow, atMs: number, cost: number): void {
  const at = lowerBound(log, atMs + 1);
  log.splice(at, 0, ...new Array<number>(Math.min(cost, window.max)).fill(atMs));
}

/** Gives back sends counted at `atMs` that never happened (in place). */
export function removeSends(log: SendLog, window: SendWindow, atMs: number, cost: number): void {
  const at = lowerBound(log, atMs);
  let count = 0;
  while (log[at + count] === atMs && count < Math.min(cost, window.max)) count++;
  log.splice(at, count);
}

/** Drops the sends no window holding `nowMs` or later can contain (in place). */
export function forgetBefore(log: SendLog, window: SendWindow, nowMs: number): void {
  log.splice(0, lowerBound(log, nowMs - window.windowMs + 1));
}

/** The latest send counted, or undefined for an empty log. */
export const lastSend = (log: readonly number[]): number | undefined => log[log.length - 1];
