import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type WindowLimit,
  type WindowState,
  windowDecide,
  windowRefund,
} from "../../src/core/window.ts";

const threePerTenSeconds: WindowLimit = { kind: "window", maxCost: 3, windowSeconds: 10 };

describe("sliding window", () => {
  it("admits the limit within a window and slides event by event", () => {
    let state: WindowState | undefined;
    for (const t of [0, 1_000, 2_000]) {
      const d = windowDecide(threePerTenSeconds, state, 1, t);
      expect(d.allowed).toBe(true);
      state = d.next;
    }
    const denied = windowDecide(threePerTenSeconds, state, 1, 5_000);
    expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 5_000 });
    expect(windowDecide(threePerTenSeconds, state, 1, 9_999).allowed).toBe(false);
    expect(windowDecide(threePerTenSeconds, state, 1, 10_000).allowed).toBe(true);
  });

  it("waits for enough cost to slide out for a costly event", () => {
    let state: WindowState | undefined;
    for (const t of [0, 1_000, 2_000]) state = windowDecide(threePerTenSeconds, state, 1, t).next;
    expect(windowDecide(threePerTenSeconds, state, 2, 3_000).retryAfterMs).toBe(8_000);
  });

  it("empties once the window has passed, and refunds one admission", () => {
    const d = windowDecide(threePerTenSeconds, undefined, 1, 0);
    const next = windowDecide(threePerTenSeconds, d.next, 1, 10_000).next;
    expect(next?.times.slice(next.start, next.end)).toEqual([10_000]);
    expect(windowRefund(d.next, d.receipt as never)).toBeUndefined();
  });

  it("refunds exactly the admission on its receipt, beside others in the same millisecond", () => {
    const limit: WindowLimit = { kind: "window", maxCost: 10, windowSeconds: 10 };
    const small = windowDecide(limit, undefined, 2, 100);
    const big = windowDecide(limit, small.next, 5, 100);
    const refunded = windowRefund(big.next, small.receipt as never);
    expect(refunded?.used).toBe(5);
    expect(refunded?.costs.slice(refunded.start, refunded.end)).toEqual([5]);
    expect(windowDecide(limit, refunded, 5, 100).allowed).toBe(true);
    expect(windowDecide(limit, refunded, 6, 100).allowed).toBe(false);
  });

  it("keeps every state immutable to its holder, even when two decisions branch from it", () => {
    const base = windowDecide(threePerTenSeconds, undefined, 1, 0).next;
    const left = windowDecide(threePerTenSeconds, base, 2, 100).next;
    const right = windowDecide(threePerTenSeconds, base, 1, 200).next;
    expect(windowDecide(threePerTenSeconds, base, 2, 300).allowed).toBe(true);
    expect(windowDecide(threePerTenSeconds, left, 1, 300).allowed).toBe(false);
    expect(windowDecide(threePerTenSeconds, right, 1, 300).allowed).toBe(true);
    expect(right?.used).toBe(2);
  });

  it("keeps a stored log no longer than about twice what is live", () => {
    const limit: WindowLimit = { kind: "window", maxCost: 10, windowSeconds: 1 };
    let state: WindowState | undefined;
    for (let t = 0; t < 100_000; t += 50) state = windowDecide(limit, state, 1, t).next;
    expect(state?.times.length).toBeLessThanOrEqual(2 * 20 + 16);
  });

  it("never admits more than the limit in any window (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 4 })), {
          maxLength: 150,
        }),
        (limitCount, windowSeconds, steps) => {
          const limit: WindowLimit = { kind: "window", maxCost: limitCount, windowSeconds };
          let state: WindowState | undefined;
          let nowMs = 0;
          const admitted: [number, number][] = [];
          for (const [gapMs, cost] of steps) {
            nowMs += gapMs;
            const d = windowDecide(limit, state, cost, nowMs);
            if (!d.allowed) continue;
            state = d.next;
            admitted.push([nowMs, cost]);
            const inWindow = admitted
              .filter(([at]) => at > nowMs - windowSeconds * 1000)
              .reduce((sum, [, c]) => sum + c, 0);
            expect(inWindow).toBeLessThanOrEqual(limitCount);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
