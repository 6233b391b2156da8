import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { carriedOver } from "../../src/core/limits.ts";
import {
  reservationTokens,
  type ThrottleLimit,
  type ThrottleReceipt,
  type ThrottleState,
  throttleDecide,
  throttleRefund,
  throttleReservation,
} from "../../src/core/throttle.ts";

// An object's two copies of a throttle: memory, and storage written only when the
// reservation it holds no longer covers memory. An eviction loses memory; a changed limit
// drops memory's lead and stores the state carried over (as src/limiter/batch.ts does).
function object() {
  let memory: ThrottleState | undefined;
  let stored: ThrottleState | undefined;
  let writes = 0;
  let lastReceipt: ThrottleReceipt | undefined;
  return {
    check(limit: ThrottleLimit, cost: number, nowMs: number): boolean {
      const carried = carriedOver(limit, stored, nowMs);
      if (carried !== undefined) {
        memory = carried.state as ThrottleState | undefined;
        stored = memory;
        writes++;
      }
      const d = throttleDecide(limit, memory, cost, nowMs);
      lastReceipt = d.receipt;
      if (!d.allowed) return false;
      memory = d.next;
      const plan = throttleReservation(limit, stored, d.next, nowMs);
      if (plan.write) {
        stored = plan.state;
        writes++;
      }
      return true;
    },
    /** The last admission's receipt, for a refund later. */
    receipt: () => lastReceipt,
    /** A refund writes memory's state down, as the object's does. */
    refund(limit: ThrottleLimit, receipt: ThrottleReceipt, nowMs: number) {
      memory = throttleRefund(limit, memory, receipt, nowMs);
      stored = memory;
      writes++;
    },
    evict() {
      memory = stored;
    },
    writes: () => writes,
  };
}

/**
 * The exact state of the same history: every admission the design made, stored as it is, and
 * every check's limit met at the same instants (a changed limit takes effect at the first
 * decision under it, which carries the state over, admitted or not).
 */
function reference() {
  let state: ThrottleState | undefined;
  let lastReceipt: ThrottleReceipt | undefined;
  return {
    receipt: () => lastReceipt,
    refund(limit: ThrottleLimit, receipt: ThrottleReceipt, nowMs: number) {
      state = throttleRefund(limit, state, receipt, nowMs);
    },
    meet(limit: ThrottleLimit, nowMs: number) {
      const carried = carriedOver(limit, state, nowMs);
      if (carried !== undefined) state = carried.state as ThrottleState | undefined;
    },
    admits(limit: ThrottleLimit, cost: number, nowMs: number): boolean {
      const d = throttleDecide(limit, state, cost, nowMs);
      lastReceipt = d.receipt;
      if (d.allowed) state = d.next;
      return d.allowed;
    },
  };
}

const limit = fc.record({
  kind: fc.constant("throttle" as const),
  capacity: fc.integer({ min: 1, max: 2_000 }),
  refillTokens: fc.integer({ min: 1, max: 1_000 }),
  refillSeconds: fc.integer({ min: 1, max: 86_400 }),
});

const steps = (limits: number) =>
  fc.array(
    fc.record({
      waitMs: fc.integer({ min: 0, max: 120_000 }),
      cost: fc.integer({ min: 1, max: 5 }),
      evict: fc.boolean(),
      limit: fc.integer({ min: 0, max: limits - 1 }),
      // Refunds an earlier admission (this many back), at most once each, as tickets are.
      refund: fc.option(fc.nat({ max: 20 }), { nil: undefined }),
    }),
    { maxLength: 200 },
  );

describe("throttle reservations", () => {
  it("never admit what storing every admission would deny: restarts, limit changes, refunds (property)", () => {
    fc.assert(
      fc.property(
        fc
          .array(limit, { minLength: 1, maxLength: 3 })
          .chain((ls) => fc.tuple(fc.constant(ls), steps(ls.length))),
        ([limits, run]) => {
          const o = object();
          const exact = reference();
          const admitted: {
            limit: ThrottleLimit;
            ours: ThrottleReceipt;
            exact: ThrottleReceipt;
          }[] = [];
          let nowMs = 0;
          for (const step of run) {
            nowMs += step.waitMs;
            if (step.evict) o.evict();
            const l = limits[step.limit] as ThrottleLimit;
            exact.meet(l, nowMs);
            if (step.refund !== undefined) {
              const earlier = admitted.length - 1 - step.refund;
              const pair = admitted[earlier];
              if (pair !== undefined && pair.limit === l) {
                admitted.splice(earlier, 1);
                o.refund(l, pair.ours, nowMs);
                exact.refund(l, pair.exact, nowMs);
              }
            }
            // Every admission made must be one the exact history allows too.
            if (o.check(l, step.cost, nowMs)) {
              expect(exact.admits(l, step.cost, nowMs)).toBe(true);
              const [ours, theirs] = [o.receipt(), exact.receipt()];
              if (ours && theirs) admitted.push({ limit: l, ours, exact: theirs });
            }
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("store the state carried over to a changed limit, so a restart later resumes from it", () => {
    // Refilled fast before the change, slowly after: storage still under the old limit would,
    // after a restart, be refilled at the old rate for all the time since.
    const fast: ThrottleLimit = {
      kind: "throttle",
      capacity: 1000,
      refillTokens: 1000,
      refillSeconds: 1,
    };
    const slow: ThrottleLimit = {
      kind: "throttle",
      capacity: 1000,
      refillTokens: 1,
      refillSeconds: 3600,
    };
    const o = object();
    const exact = reference();
    for (let i = 0; i < 1000; i++) o.check(fast, 1, 0);
    exact.meet(fast, 0);
    for (let i = 0; i < 1000; i++) exact.admits(fast, 1, 0);
    // The slow limit is met, and admits (the bucket refilled a little meanwhile).
    exact.meet(slow, 100);
    expect(o.check(slow, 1, 100)).toBe(exact.admits(slow, 1, 100));
    o.evict();
    let admitted = 0;
    exact.meet(slow, 60_000);
    for (let i = 0; i < 1000; i++) {
      if (o.check(slow, 1, 60_000)) {
        admitted++;
        expect(exact.admits(slow, 1, 60_000)).toBe(true);
      }
    }
    expect(admitted).toBeLessThan(100);
  });

  it("lose less than one reservation to an eviction (property)", () => {
    fc.assert(
      fc.property(limit, fc.integer({ min: 0, max: 2_000 }), (l, taken) => {
        const o = object();
        const exact = object();
        for (let i = 0; i < Math.min(taken, l.capacity); i++) {
          o.check(l, 1, 0);
          exact.check(l, 1, 0);
        }
        o.evict();
        let left = 0;
        while (o.check(l, 1, 0)) left++;
        let exactLeft = 0;
        while (exact.check(l, 1, 0)) exactLeft++;
        expect(left).toBeLessThanOrEqual(exactLeft);
        expect(exactLeft - left).toBeLessThanOrEqual(reservationTokens(l) - 1);
      }),
      { numRuns: 500 },
    );
  });

  it("write every admission of a small bucket, one in fifty of a large one, also at its limit", () => {
    const small: ThrottleLimit = {
      kind: "throttle",
      capacity: 5,
      refillTokens: 5,
      refillSeconds: 60,
    };
    const o = object();
    for (let i = 0; i < 5; i++) o.check(small, 1, 0);
    expect(o.writes()).toBe(5);
    const large: ThrottleLimit = {
      kind: "throttle",
      capacity: 1000,
      refillTokens: 1000,
      refillSeconds: 60,
    };
    const busy = object();
    let admitted = 0;
    // Twice what the bucket allows, for ten minutes: every 30 ms, while 60 ms refill one.
    for (let t = 0; t < 600_000; t += 30) if (busy.check(large, 1, t)) admitted++;
    expect(admitted).toBeGreaterThan(10_000);
    expect(busy.writes() / admitted).toBeLessThanOrEqual(1 / 40);
  });
});
