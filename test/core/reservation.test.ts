import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  reservationTokens,
  type ThrottleLimit,
  type ThrottleState,
  throttleDecide,
  throttleReservation,
} from "../../src/core/throttle.ts";

// An object's two copies of a throttle: memory, exact, and storage, written only when the
// reservation it holds no longer covers memory. An eviction loses memory.
function object(limit: ThrottleLimit) {
  let memory: ThrottleState | undefined;
  let stored: ThrottleState | undefined;
  let writes = 0;
  return {
    check(cost: number, nowMs: number): boolean {
      const d = throttleDecide(limit, memory, cost, nowMs);
      if (!d.allowed) return false;
      memory = d.next;
      const plan = throttleReservation(limit, stored, d.next, nowMs);
      if (plan.write) {
        stored = plan.state;
        writes++;
      }
      return true;
    },
    evict() {
      memory = stored;
    },
    writes: () => writes,
  };
}

const limits = fc.record({
  kind: fc.constant("throttle" as const),
  capacity: fc.integer({ min: 1, max: 2_000 }),
  refillTokens: fc.integer({ min: 1, max: 1_000 }),
  refillSeconds: fc.integer({ min: 1, max: 3_600 }),
});

const steps = fc.array(
  fc.record({
    waitMs: fc.integer({ min: 0, max: 5_000 }),
    cost: fc.integer({ min: 1, max: 5 }),
    evict: fc.boolean(),
  }),
  { maxLength: 300 },
);

describe("throttle reservations", () => {
  it("never admit more than the bucket allows, whatever is evicted when (property)", () => {
    fc.assert(
      fc.property(limits, steps, (limit, run) => {
        const o = object(limit);
        let nowMs = 0;
        let admitted = 0;
        for (const step of run) {
          nowMs += step.waitMs;
          if (step.evict) o.evict();
          if (o.check(step.cost, nowMs)) admitted += step.cost;
          const allowance =
            limit.capacity +
            Math.floor((nowMs * limit.refillTokens) / (limit.refillSeconds * 1000));
          expect(admitted).toBeLessThanOrEqual(allowance);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("lose at most one reservation to an eviction (property)", () => {
    fc.assert(
      fc.property(limits, fc.integer({ min: 0, max: 2_000 }), (limit, taken) => {
        const o = object(limit);
        const exact = object({ ...limit });
        let spent = 0;
        for (let i = 0; i < Math.min(taken, limit.capacity); i++) {
          o.check(1, 0);
          exact.check(1, 0);
          spent++;
        }
        o.evict();
        let left = 0;
        while (o.check(1, 0)) left++;
        let exactLeft = 0;
        while (exact.check(1, 0)) exactLeft++;
        expect(left).toBeLessThanOrEqual(exactLeft);
        expect(exactLeft - left).toBeLessThanOrEqual(reservationTokens(limit) - 1);
        expect(spent + exactLeft).toBe(limit.capacity);
      }),
      { numRuns: 500 },
    );
  });

  it("write every admission of a small bucket, and about one in twenty of a large one", () => {
    const small = object({ kind: "throttle", capacity: 5, refillTokens: 5, refillSeconds: 60 });
    for (let i = 0; i < 5; i++) small.check(1, 0);
    expect(small.writes()).toBe(5);
    const large = object({
      kind: "throttle",
      capacity: 1000,
      refillTokens: 1000,
      refillSeconds: 60,
    });
    for (let i = 0; i < 1000; i++) large.check(1, 0);
    expect(large.writes()).toBe(20);
  });
});
