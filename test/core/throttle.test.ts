import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ThrottleLimit,
  type ThrottleReceipt,
  type ThrottleState,
  throttleCarriedOver,
  throttleDecide,
  throttleRefund,
} from "../../src/core/throttle.ts";

const fivePerMinute: ThrottleLimit = {
  kind: "throttle",
  capacity: 5,
  refillTokens: 5,
  refillSeconds: 60,
};

describe("throttle", () => {
  it("starts full, drains, and says exactly when the next token comes", () => {
    let state: ThrottleState | undefined;
    for (let i = 0; i < 5; i++) {
      const d = throttleDecide(fivePerMinute, state, 1, 0);
      expect(d.allowed).toBe(true);
      expect(d.remaining).toBe(4 - i);
      state = d.next;
    }
    const denied = throttleDecide(fivePerMinute, state, 1, 0);
    expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 12_000 });
    expect(throttleDecide(fivePerMinute, state, 1, 11_999).allowed).toBe(false);
    expect(throttleDecide(fivePerMinute, state, 1, 12_000).allowed).toBe(true);
  });

  it("charges the cost and times a costly retry by it", () => {
    const d = throttleDecide(fivePerMinute, undefined, 5, 0);
    expect(d).toMatchObject({ allowed: true, remaining: 0, resetMs: 60_000 });
    const denied = throttleDecide(fivePerMinute, d.next, 3, 24_000);
    expect(denied).toMatchObject({ allowed: false, remaining: 2, retryAfterMs: 12_000 });
  });

  it("lets a burst exceed the sustained rate", () => {
    const burst: ThrottleLimit = {
      kind: "throttle",
      capacity: 10,
      refillTokens: 1,
      refillSeconds: 1,
    };
    let state: ThrottleState | undefined;
    let admitted = 0;
    for (let i = 0; i < 20; i++) {
      const d = throttleDecide(burst, state, 1, 0);
      if (d.allowed) admitted++;
      state = d.allowed ? d.next : state;
    }
    expect(admitted).toBe(10);
  });

  it("forgets a bucket once it is full again, so idle subjects cost no storage", () => {
    const d = throttleDecide(fivePerMinute, undefined, 1, 0);
    expect(d.next).toBeDefined();
    expect(d.recoverAtMs).toBe(12_000);
    const later = throttleDecide(fivePerMinute, d.next, 1, 12_000);
    const receipt = later.receipt as ThrottleReceipt;
    expect(throttleRefund(fivePerMinute, later.next, receipt, 12_000)).toBeUndefined();
  });

  it("refunds exactly what was taken and never past capacity", () => {
    const first = throttleDecide(fivePerMinute, undefined, 2, 0);
    const refunded = throttleRefund(fivePerMinute, first.next, first.receipt as never, 0);
    expect(refunded).toBeUndefined();
    expect(throttleDecide(fivePerMinute, refunded, 5, 0).allowed).toBe(true);
  });

  it("gives back only what refill has not: a late refund cannot fund an extra burst", () => {
    // A token taken at 0 from a full bucket was made good by refill at 12 s: the bucket then
    // stood full, as it would without that check. Five more at 20 s empty it.
    const early = throttleDecide(fivePerMinute, undefined, 1, 0);
    let state = early.next;
    for (let i = 0; i < 5; i++) state = throttleDecide(fivePerMinute, state, 1, 20_000).next;
    // Refunding the first check now gives nothing back: a sixth check within the same second
    // would exceed 5 + 5/60 tokens per second.
    state = throttleRefund(fivePerMinute, state, early.receipt as ThrottleReceipt, 21_000);
    expect(throttleDecide(fivePerMinute, state, 1, 21_000).allowed).toBe(false);
    // A check whose token is still owed gets all of it back.
    const owed = throttleDecide(fivePerMinute, undefined, 5, 0);
    const back = throttleRefund(fivePerMinute, owed.next, owed.receipt as ThrottleReceipt, 6_000);
    expect(throttleDecide(fivePerMinute, back, 1, 6_000).remaining).toBe(4);
  });

  it("counts another refund in between: together they never lift the bucket too high", () => {
    const slow: ThrottleLimit = {
      kind: "throttle",
      capacity: 7,
      refillTokens: 3,
      refillSeconds: 46,
    };
    const a = throttleDecide(slow, undefined, 1, 0);
    const b = throttleDecide(slow, a.next, 1, 0);
    // A is refunded at once: without B the bucket is now full, and B's token owed shrinks
    // with every millisecond of refill that a full bucket would have wasted.
    let state = throttleRefund(slow, b.next, a.receipt as ThrottleReceipt, 0);
    state = throttleDecide(slow, state, 2, 119).next;
    state = throttleDecide(slow, state, 4, 1_335).next;
    state = throttleRefund(slow, state, b.receipt as ThrottleReceipt, 5_547);
    // A bucket that never saw A or B holds just under 2 tokens at 15,334 ms.
    expect(throttleDecide(slow, state, 2, 15_334).allowed).toBe(false);
    expect(throttleDecide(slow, state, 2, 25_000).allowed).toBe(true);
  });

  it("rescales a stored level when the policy changes, without adding tokens", () => {
    const empty = throttleDecide(fivePerMinute, undefined, 5, 0).next;
    const slower: ThrottleLimit = {
      kind: "throttle",
      capacity: 5,
      refillTokens: 5,
      refillSeconds: 120,
    };
    expect(throttleDecide(slower, empty, 1, 0).allowed).toBe(false);
  });

  it("never admits more than capacity + refill × elapsed (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 5 })), {
          maxLength: 200,
        }),
        (capacity, refillTokens, refillSeconds, steps) => {
          const limit: ThrottleLimit = { kind: "throttle", capacity, refillTokens, refillSeconds };
          let state: ThrottleState | undefined;
          let nowMs = 1_000_000;
          const start = nowMs;
          let admittedCost = 0;
          for (const [gapMs, cost] of steps) {
            nowMs += gapMs;
            const d = throttleDecide(limit, state, cost, nowMs);
            if (d.allowed) {
              admittedCost += cost;
              state = d.next;
            } else {
              // The retry time is exact: one millisecond earlier is still too early.
              expect(d.retryAfterMs).toBeGreaterThan(0);
              if (d.retryAfterMs > 1) {
                expect(throttleDecide(limit, state, cost, nowMs + d.retryAfterMs - 1).allowed).toBe(
                  false,
                );
              }
              expect(throttleDecide(limit, state, cost, nowMs + d.retryAfterMs).allowed).toBe(
                cost <= capacity,
              );
            }
            const allowance = capacity + (refillTokens * (nowMs - start)) / (refillSeconds * 1000);
            expect(admittedCost).toBeLessThanOrEqual(allowance);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refunds never let more through than a bucket that never saw the refunded checks (property)", () => {
    type Step = { gapMs: number; cost: number; refund: number | null };
    const step = fc.record({
      gapMs: fc.integer({ min: 0, max: 8_000 }),
      cost: fc.integer({ min: 1, max: 4 }),
      // Some steps refund an earlier admission (picked by index) instead of checking.
      refund: fc.oneof(
        { arbitrary: fc.constant(null), weight: 3 },
        { arbitrary: fc.nat(), weight: 1 },
      ),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(step, { maxLength: 150 }),
        (capacity, refillTokens, refillSeconds, steps: Step[]) => {
          const limit: ThrottleLimit = { kind: "throttle", capacity, refillTokens, refillSeconds };
          const admitted: { atMs: number; cost: number; receipt: ThrottleReceipt }[] = [];
          const refunded = new Set<number>();
          let state: ThrottleState | undefined;
          let nowMs = 0;
          for (const { gapMs, cost, refund } of steps) {
            nowMs += gapMs;
            const open = admitted.map((_, i) => i).filter((i) => !refunded.has(i));
            if (refund !== null && open.length > 0) {
              const i = open[refund % open.length] as number;
              state = throttleRefund(
                limit,
                state,
                (admitted[i] as { receipt: ThrottleReceipt }).receipt,
                nowMs,
              );
              refunded.add(i);
              continue;
            }
            const d = throttleDecide(limit, state, cost, nowMs);
            if (d.allowed) {
              admitted.push({ atMs: nowMs, cost, receipt: d.receipt as ThrottleReceipt });
              state = d.next;
            }
          }
          // Every admission that stands would have been admitted had the refunded ones never
          // been made: what stands is within the policy.
          let counterfactual: ThrottleState | undefined;
          admitted.forEach(({ atMs, cost }, i) => {
            if (refunded.has(i)) return;
            const d = throttleDecide(limit, counterfactual, cost, atMs);
            expect(d.allowed).toBe(true);
            counterfactual = d.next;
          });
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("limits that alternate (old, new, old, ...) never admit more than the larger of them (property)", () => {
    const limit = fc.record({
      kind: fc.constant("throttle" as const),
      capacity: fc.integer({ min: 1, max: 200 }),
      refillTokens: fc.integer({ min: 1, max: 200 }),
      refillSeconds: fc.integer({ min: 1, max: 3600 }),
    });
    const step = fc.record({
      which: fc.nat({ max: 2 }),
      waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 })),
      cost: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(limit, { minLength: 3, maxLength: 3 }), fc.array(step), (ls, steps) => {
        const limits = ls as ThrottleLimit[];
        const perMs = (l: ThrottleLimit) => l.refillTokens / (l.refillSeconds * 1000);
        const most = Math.max(...limits.map((l) => l.capacity));
        const fastest = Math.max(...limits.map(perMs));
        let state: ThrottleState | undefined;
        let nowMs = 0;
        const admitted: { atMs: number; cost: number }[] = [];
        for (const { which, waitMs, cost } of steps) {
          nowMs += waitMs;
          const l = limits[which] as ThrottleLimit;
          const d = throttleDecide(l, state, cost, nowMs);
          if (d.allowed) {
            admitted.push({ atMs: nowMs, cost });
            state = d.next;
          } else {
            // A denial under a changed limit stores the state carried over.
            state = throttleCarriedOver(l, state, nowMs).state;
            // Its wait is exact: not a millisecond early, and no later than needed.
            expect(throttleDecide(l, state, cost, nowMs + d.retryAfterMs - 1).allowed).toBe(false);
            if (cost <= l.capacity) {
              expect(throttleDecide(l, state, cost, nowMs + d.retryAfterMs).allowed).toBe(true);
            }
          }
        }
        for (let i = 0; i < admitted.length; i++) {
          let sum = 0;
          for (let j = i; j < admitted.length; j++) {
            sum += (admitted[j] as { cost: number }).cost;
            const spanMs =
              (admitted[j] as { atMs: number }).atMs - (admitted[i] as { atMs: number }).atMs;
            expect(sum).toBeLessThanOrEqual(most + fastest * spanMs + 1e-9);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
