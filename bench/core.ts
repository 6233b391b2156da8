// Core decisions per second in one Node process, measured with mitata: our pure decision
// functions over a Map of states vs rate-limiter-flexible's RateLimiterMemory, on the same
// keys in the same round-robin order, each configured so that nearly every call is admitted.
import { do_not_optimize, measure } from "mitata";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { type ThrottleLimit, type ThrottleState, throttleDecide } from "../src/core/throttle.ts";
import { type WindowLimit, type WindowState, windowDecide } from "../src/core/window.ts";

export const KEYS = 1_000;
export const PEER_NAME = "rate-limiter-flexible RateLimiterMemory.consume";
export const BARE_NAME = "bare token bucket over a Map (for scale)";

export interface CoreResult {
  name: string;
  /** Decisions per second: KEYS decisions per mitata iteration, over its mean time. */
  opsPerSec: number;
  /** Share of the calls made (warm-up included) that were admitted. */
  admittedShare: number;
}

interface Tally {
  admitted: number;
  denied: number;
}

// Shaped like the peer's keys: one string per subject, the same strings for every contender.
const keys = Array.from({ length: KEYS }, (_, i) => `bench:policy:USER:${i}`);

// A million a second per key: 1,000 keys at a few million calls a second never run dry.
const throttle: ThrottleLimit = {
  kind: "throttle",
  capacity: 1_000_000,
  refillTokens: 1_000_000,
  refillSeconds: 1,
};
const window: WindowLimit = { kind: "window", maxCost: 1_000_000, windowSeconds: 1 };

// Two loops alike, not one generic loop over a decide function: each call site stays
// monomorphic, as it is in the object, so neither contender pays for sharing a loop.
function throttleBench(tally: Tally): () => void {
  const states = new Map<string, ThrottleState | undefined>();
  return () => {
    for (const key of keys) {
      const decision = throttleDecide(throttle, states.get(key), 1, Date.now());
      if (decision.allowed) {
        states.set(key, decision.next);
        tally.admitted++;
      } else tally.denied++;
      do_not_optimize(decision);
    }
  };
}

function windowBench(tally: Tally): () => void {
  const states = new Map<string, WindowState | undefined>();
  return () => {
    for (const key of keys) {
      const decision = windowDecide(window, states.get(key), 1, Date.now());
      if (decision.allowed) {
        states.set(key, decision.next);
        tally.admitted++;
      } else tally.denied++;
      do_not_optimize(decision);
    }
  };
}

/** For scale, not a contender: the same bucket with nothing but the arithmetic. */
function bareBench(tally: Tally): () => void {
  const states = new Map<string, { tokens: number; atMs: number }>();
  const perMs = throttle.refillTokens / (throttle.refillSeconds * 1000);
  return () => {
    for (const key of keys) {
      const nowMs = Date.now();
      const state = states.get(key);
      const tokens =
        state === undefined
          ? throttle.capacity
          : Math.min(throttle.capacity, state.tokens + (nowMs - state.atMs) * perMs);
      if (tokens >= 1) {
        states.set(key, { tokens: tokens - 1, atMs: nowMs });
        tally.admitted++;
      } else tally.denied++;
      do_not_optimize(tokens);
    }
  };
}

function peerBench(tally: Tally): () => Promise<void> {
  const limiter = new RateLimiterMemory({ points: 1_000_000, duration: 1 });
  return async () => {
    for (const key of keys) {
      // Resolves when admitted; rejects with a RateLimiterRes when over the limit.
      try {
        do_not_optimize(await limiter.consume(key));
        tally.admitted++;
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        tally.denied++;
      }
    }
  };
}

/** Runs the contenders, one after another; `quick` samples each for less time. */
export async function runCore(quick: boolean): Promise<CoreResult[]> {
  const contenders: [string, (tally: Tally) => () => unknown][] = [
    ["throttleDecide", throttleBench],
    ["windowDecide", windowBench],
    [PEER_NAME, peerBench],
    [BARE_NAME, bareBench],
  ];
  const results: CoreResult[] = [];
  for (const [name, make] of contenders) {
    const tally = { admitted: 0, denied: 0 };
    const stats = await measure(make(tally), { min_cpu_time: (quick ? 0.1 : 2) * 1e9 });
    const calls = tally.admitted + tally.denied;
    const result = {
      name,
      opsPerSec: (KEYS * 1e9) / stats.avg,
      admittedShare: calls === 0 ? 0 : tally.admitted / calls,
    };
    // Measured only where the limit admits: a denial is a different, cheaper path.
    if (!(result.admittedShare > 0.5)) throw new Error(`${name}: most calls were denied`);
    console.log(
      `  ${name}: ${(result.opsPerSec / 1e6).toFixed(2)} M decisions/s ` +
        `(${stats.samples.length} samples of ${KEYS}), ` +
        `${(100 * result.admittedShare).toFixed(1)}% admitted`,
    );
    results.push(result);
  }
  return results;
}
