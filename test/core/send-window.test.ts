import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addSends,
  earliestInWindow,
  forgetBefore,
  removeSends,
  type SendWindow,
} from "../../src/core/send-window.ts";

/** By brute force: the most sends any window of the limit's length holds. */
function mostInAnyWindow(log: number[], { windowMs }: SendWindow): number {
  let most = 0;
  for (const start of log) {
    most = Math.max(most, log.filter((t) => t >= start && t < start + windowMs).length);
  }
  return most;
}

/** By brute force: whether `cost` sends at `atMs` keep every window and the spacing. */
function fits(log: number[], window: SendWindow, atMs: number, cost: number): boolean {
  const spacing = window.spacingMs ?? 0;
  if (log.some((t) => Math.abs(t - atMs) < spacing)) return false;
  for (let start = atMs - window.windowMs + 1; start <= atMs; start++) {
    const held = log.filter((t) => t >= start && t < start + window.windowMs).length;
    if (held + cost > window.max) return false;
  }
  return true;
}

const twentyPerMinute: SendWindow = { max: 20, windowMs: 60_000 };

describe("a sliding count of sends", () => {
  it("lets 20 go at once, then the 21st a full window after the first", () => {
    const log: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = earliestInWindow(log, twentyPerMinute, i * 100, 1);
      expect(at).toBe(i * 100);
      addSends(log, twentyPerMinute, at, 1);
    }
    expect(earliestInWindow(log, twentyPerMinute, 5_000, 1)).toBe(60_000);
    // Not a bucket: nothing refills mid-window.
    expect(earliestInWindow(log, twentyPerMinute, 30_000, 1)).toBe(60_000);
    expect(earliestInWindow(log, twentyPerMinute, 60_050, 1)).toBe(60_050);
    expect(earliestInWindow(log, twentyPerMinute, 60_050, 2)).toBe(60_100);
  });

  it("fits a call before sends reserved ahead when the windows around it allow", () => {
    const window: SendWindow = { max: 2, windowMs: 1_000 };
    const log = [5_000, 5_100];
    expect(earliestInWindow(log, window, 0, 1)).toBe(0);
    expect(earliestInWindow(log, window, 4_500, 1)).toBe(6_000);
    expect(earliestInWindow(log, window, 4_000, 1)).toBe(4_000);
  });

  it("keeps sends apart by the spacing, and fits one between others where there is room", () => {
    const window: SendWindow = { max: 100, windowMs: 1_000, spacingMs: 30 };
    const log = [100, 200];
    expect(earliestInWindow(log, window, 90, 1)).toBe(130);
    expect(earliestInWindow(log, window, 0, 1)).toBe(0);
    expect(earliestInWindow(log, window, 180, 1)).toBe(230);
  });

  it("gives back a send that never happened, and forgets what no window can hold", () => {
    const window: SendWindow = { max: 3, windowMs: 1_000 };
    const log: number[] = [];
    for (const at of [0, 10, 10, 900]) addSends(log, window, at, 1);
    removeSends(log, window, 10, 1);
    expect(log).toEqual([0, 10, 900]);
    forgetBefore(log, window, 1_005);
    expect(log).toEqual([10, 900]);
  });

  it("counts an album as its items, and one larger than the limit as the limit", () => {
    const window: SendWindow = { max: 3, windowMs: 1_000 };
    const log: number[] = [];
    addSends(log, window, 0, 2);
    expect(earliestInWindow(log, window, 0, 2)).toBe(1_000);
    expect(earliestInWindow([], window, 0, 10)).toBe(0);
    addSends(log, window, 1_000, 10);
    expect(log).toEqual([0, 0, 1_000, 1_000, 1_000]);
  });

  it("never lets a window hold more than the limit, and finds the earliest time that keeps it", () => {
    const request = fc.record({
      fromMs: fc.integer({ min: 0, max: 300 }),
      cost: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(request, { maxLength: 40 }),
        (max, windowMs, spacingMs, requests) => {
          const window = { max, windowMs, spacingMs };
          const log: number[] = [];
          for (const { fromMs, cost } of requests) {
            const at = earliestInWindow(log, window, fromMs, cost);
            const counted = Math.min(cost, max);
            expect(fits(log, window, at, counted)).toBe(true);
            for (let earlier = fromMs; earlier < at; earlier++) {
              expect(fits(log, window, earlier, counted)).toBe(false);
            }
            addSends(log, window, at, cost);
          }
          expect(mostInAnyWindow(log, window)).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 300 },
    );
  });
});
