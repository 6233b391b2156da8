import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Allowance } from "../../src/core/allowance.ts";
import { leaseMs, throttleGrant } from "../../src/core/grant.ts";
import type { ThrottleLimit, ThrottleState } from "../../src/core/throttle.ts";

const limit = fc.record({
  kind: fc.constant("throttle" as const),
  capacity: fc.integer({ min: 1, max: 500 }),
  refillTokens: fc.integer({ min: 1, max: 500 }),
  refillSeconds: fc.integer({ min: 1, max: 60 }),
});

// Isolates asking one object for grants and spending them, with the time a grant takes.
const step = fc.record({
  isolate: fc.integer({ min: 0, max: 3 }),
  waitMs: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 400 })),
  latencyMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 })),
  cost: fc.integer({ min: 1, max: 3 }),
});

describe("grants to isolates", () => {
  it("admit at most capacity + rate × d in any interval d, whatever the isolates do (property)", () => {
    fc.assert(
      fc.property(limit, fc.array(step, { maxLength: 300 }), (l: ThrottleLimit, run) => {
        let state: ThrottleState | undefined;
        const allowances = [0, 1, 2, 3].map(() => new Allowance());
        const life = leaseMs(l);
        const admitted: { atMs: number; cost: number }[] = [];
        let nowMs = 0;
        for (const s of run) {
          nowMs += s.waitMs;
          const allowance = allowances[s.isolate] as Allowance;
          let taken = allowance.take(s.cost, nowMs, 1, life);
          if (!taken) {
            // The request starts now; the object decides the grant later, and the isolate
            // spends it when the answer is back.
            const grantedAtMs = nowMs + s.latencyMs;
            const g = throttleGrant(
              l,
              state,
              allowance.want(s.cost, nowMs, life),
              s.cost,
              grantedAtMs,
            );
            state = g.next;
            allowance.add(g.granted, nowMs, life, 1);
            taken = allowance.take(s.cost, grantedAtMs + s.latencyMs, 1, life);
            if (taken) admitted.push({ atMs: grantedAtMs + s.latencyMs, cost: s.cost });
          } else {
            admitted.push({ atMs: nowMs, cost: s.cost });
          }
        }
        admitted.sort((a, b) => a.atMs - b.atMs);
        // Every interval between two admissions, ends included.
        for (let i = 0; i < admitted.length; i++) {
          let sum = 0;
          for (let j = i; j < admitted.length; j++) {
            sum += (admitted[j] as { cost: number }).cost;
            const d =
              (admitted[j] as { atMs: number }).atMs - (admitted[i] as { atMs: number }).atMs;
            // sum ≤ capacity + refillTokens × d / (refillSeconds × 1000), in integers.
            expect(sum * l.refillSeconds * 1000).toBeLessThanOrEqual(
              l.capacity * l.refillSeconds * 1000 + l.refillTokens * d,
            );
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("never grant within one lease's life more than the bucket holds (property)", () => {
    // Everything granted at one instant may still be spent a lease's life later, beside what
    // refill granted meanwhile: all of it must fit the burst.
    fc.assert(
      fc.property(limit, fc.integer({ min: 1, max: 3 }), (l: ThrottleLimit, cost) => {
        const life = leaseMs(l);
        let state: ThrottleState | undefined;
        let total = 0;
        for (const atMs of [0, life - 1]) {
          for (;;) {
            const g = throttleGrant(l, state, 1_000_000, cost, atMs);
            if (g.granted === 0) break;
            total += g.granted;
            state = g.next;
          }
        }
        expect(total).toBeLessThanOrEqual(l.capacity);
      }),
      { numRuns: 1_000 },
    );
  });

  it("never grant past the reserve, and at least the cost or nothing", () => {
    const l: ThrottleLimit = {
      kind: "throttle",
      capacity: 1000,
      refillTokens: 1000,
      refillSeconds: 1,
    };
    expect(leaseMs(l)).toBe(250);
    const first = throttleGrant(l, undefined, 100, 1, 0);
    // A quarter of what is above the reserve of 250 at most: 750 / 4.
    expect(first.granted).toBe(100);
    let state = first.next;
    let total = first.granted;
    for (;;) {
      const g = throttleGrant(l, state, 10_000, 1, 0);
      if (g.granted === 0) {
        expect(g.retryAfterMs).toBeGreaterThan(0);
        break;
      }
      total += g.granted;
      state = g.next;
    }
    expect(total).toBe(750);
  });
});

describe("an isolate's allowance", () => {
  it("spends oldest first, drops what expired, came from other rules, or a clock stepped back", () => {
    const a = new Allowance();
    a.add(2, 0, 100, 1);
    a.add(5, 50, 100, 1);
    const taken = a.take(3, 60, 1, 100);
    expect(taken?.map((t) => t.tokens)).toEqual([2, 1]);
    expect(a.held()).toBe(4);
    expect(a.take(1, 150, 1, 100)).toBeUndefined();
    a.add(3, 200, 100, 1);
    expect(a.take(1, 210, 2, 100)).toBeUndefined();
    a.add(3, 300, 100, 2);
    expect(a.take(1, 300, 2, 100)).toBeDefined();
    // Seen from before it began, a lot is dropped for good: its expiry means nothing then.
    expect(a.take(1, 250, 2, 100)).toBeUndefined();
    expect(a.take(1, 300, 2, 100)).toBeUndefined();
  });

  it("takes a denied check's tokens back into their lots, unless those expired", () => {
    const a = new Allowance();
    a.add(3, 0, 100, 1);
    const taken = a.take(2, 10, 1, 100);
    a.giveBack(taken ?? [], 20);
    expect(a.held()).toBe(3);
    const again = a.take(3, 30, 1, 100);
    a.giveBack(again ?? [], 150);
    expect(a.take(1, 150, 1, 100)).toBeUndefined();
  });
});
