import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ThrottleLimit,
  type ThrottleState,
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
    expect(throttleRefund(fivePerMinute, later.next, 60_000, 12_000)).toBeUndefined();
  });

  it("refunds exactly what was taken and never past capacity", () => {
    const first = throttleDecide(fivePerMinute, undefined, 2, 0);
    const refunded = throttleRefund(fivePerMinute, first.next, first.receipt as never, 0);
    expect(refunded).toBeUndefined();
    expect(throttleDecide(fivePerMinute, refunded, 5, 0).allowed).toBe(true);
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
});
