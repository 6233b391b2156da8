import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConcurrencyState,
  concurrencyAcquire,
  concurrencyRelease,
  concurrencyRenew,
} from "../../src/core/concurrency.ts";

const two = { kind: "concurrency", maxLeases: 2, ttlSeconds: 60 } as const;

describe("concurrency leases", () => {
  it("holds at most `limit` leases and frees a slot on release", () => {
    let state = concurrencyAcquire(two, undefined, "a", 0).next;
    state = concurrencyAcquire(two, state, "b", 0).next;
    const full = concurrencyAcquire(two, state, "c", 1_000);
    expect(full).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 59_000 });
    const released = concurrencyRelease(two, state, "a", 1_000);
    expect(released.released).toBe(true);
    expect(concurrencyAcquire(two, released.next, "c", 1_000).allowed).toBe(true);
  });

  it("expires a lease never released after its ttl", () => {
    const state = concurrencyAcquire(
      two,
      concurrencyAcquire(two, undefined, "a", 0).next,
      "b",
      0,
    ).next;
    expect(concurrencyAcquire(two, state, "c", 59_999).allowed).toBe(false);
    expect(concurrencyAcquire(two, state, "c", 60_000).allowed).toBe(true);
    expect(concurrencyRelease(two, state, "a", 60_000).released).toBe(false);
  });

  it("never holds more than the limit of unexpired leases (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30_000 })), { maxLength: 100 }),
        (steps) => {
          let state: ConcurrencyState | undefined;
          let nowMs = 0;
          let n = 0;
          for (const [acquire, gap] of steps) {
            nowMs += gap;
            if (acquire) {
              const d = concurrencyAcquire(two, state, `l${n++}`, nowMs);
              if (d.allowed) state = d.next;
            } else if (state) {
              const first = Object.keys(state.leases)[0];
              if (first) state = concurrencyRelease(two, state, first, nowMs).next;
            }
            const live = Object.values(state?.leases ?? {}).filter((exp) => exp > nowMs);
            expect(live.length).toBeLessThanOrEqual(2);
          }
        },
      ),
    );
  });

  it("renews a live lease up to the policy's ttl from now, so a long job keeps its slot", () => {
    const held = concurrencyAcquire(two, undefined, "job", 0).next;
    // 50 s in, the job asks for another 60 s (the most the policy grants) and gets 110 s.
    const renewed = concurrencyRenew(two, held, "job", 3600, 50_000);
    expect(renewed.expiresAtMs).toBe(110_000);
    expect(renewed.recoverAtMs).toBe(110_000);
    let state = concurrencyAcquire(two, renewed.next, "other", 50_000).next;
    // Past the lease's first expiry it still holds its slot: the policy stays full.
    expect(concurrencyAcquire(two, state, "third", 100_000).allowed).toBe(false);
    // A shorter ttl never shortens the lease.
    state = concurrencyRenew(two, state, "job", 1, 60_000).next;
    expect(state?.leases.job).toBe(110_000);
    expect(concurrencyAcquire(two, state, "third", 110_000).allowed).toBe(true);
  });

  it("does not revive a lease released or expired", () => {
    const held = concurrencyAcquire(two, undefined, "job", 0).next;
    const released = concurrencyRelease(two, held, "job", 1_000).next;
    expect(concurrencyRenew(two, released, "job", 60, 2_000).expiresAtMs).toBeUndefined();
    const expired = concurrencyRenew(two, held, "job", 60, 60_000);
    expect(expired.expiresAtMs).toBeUndefined();
    expect(expired.next).toBe(held);
    expect(concurrencyRenew(two, undefined, "never", 60, 0).expiresAtMs).toBeUndefined();
  });
});
