import { describe, expect, it } from "vitest";
import type { MetricsBatch } from "../../src/metrics/counts.ts";
import {
  FLUSH_INTERVAL_MS,
  MAX_UNSENT_BATCHES,
  MAX_UNSENT_ENTRIES,
  MetricsRecorder,
} from "../../src/metrics/recorder.ts";
import { TOP_SUBJECTS_CAPACITY } from "../../src/metrics/tally.ts";
import {
  countingMetrics,
  metricsIsolate,
  metricsRegistry,
  metricsStub,
  policyIn,
} from "./harness.ts";

const checksIn = async (registry: ReturnType<typeof metricsRegistry>) => {
  const minute = Math.floor(Date.now() / 60_000);
  const window = await metricsStub(registry).window(minute - 5, minute + 5);
  return window.counts.reduce((sum, row) => sum + row.checks, 0);
};

describe("flushing what an isolate counted", () => {
  it("never calls the metrics object during a check: one background flush carries them all", async () => {
    const registry = metricsRegistry();
    const { namespace, calls } = countingMetrics();
    const node = metricsIsolate(registry, { metrics: namespace, held: true });
    for (let i = 0; i < 20; i++) {
      expect((await node.check({ policies: ["enforced"], user: `u${i}` })).status).toBe(200);
    }
    // Every check answered; the flush they scheduled is still waiting for its time.
    expect(calls).toEqual([]);
    expect(await checksIn(registry)).toBe(0);
    expect(node.waits).toEqual([0]);
    node.release();
    await node.settled();
    expect(calls).toEqual(["apply"]);
    expect(await checksIn(registry)).toBe(20);
  });

  it("flushes at most every FLUSH_INTERVAL_MS, and no later than that after a count", async () => {
    const registry = metricsRegistry();
    const { namespace, calls } = countingMetrics();
    const node = metricsIsolate(registry, { metrics: namespace });
    const flushedAt: number[] = [];
    const step = async (advanceMs: number) => {
      node.advance(advanceMs);
      await node.check({ policies: ["enforced"], user: "a" });
      await node.settled();
      flushedAt.push(node.now());
    };
    await step(0);
    await step(1_000);
    await step(0);
    await step(FLUSH_INTERVAL_MS * 3);
    // The first at once; then each waits out what is left of the interval since the last.
    expect(node.waits).toEqual([0, FLUSH_INTERVAL_MS - 1_000, FLUSH_INTERVAL_MS, 0]);
    expect(flushedAt.slice(1).map((at, i) => at - (flushedAt[i] as number))).toEqual([
      FLUSH_INTERVAL_MS,
      FLUSH_INTERVAL_MS,
      FLUSH_INTERVAL_MS * 3,
    ]);
    expect(calls).toEqual(["apply", "apply", "apply", "apply"]);
    expect(await checksIn(registry)).toBe(4);
  });

  it("schedules a flush anew when the runtime dropped the one it had scheduled", async () => {
    const registry = metricsRegistry();
    const node = metricsIsolate(registry, { held: true });
    await node.check({ policies: ["enforced"], user: "lost" });
    await node.check({ policies: ["enforced"], user: "lost" });
    expect(node.waits).toEqual([0]);
    // Its flush never ran (held for good, as a cancelled context would leave it).
    node.advance(3 * FLUSH_INTERVAL_MS);
    await node.check({ policies: ["enforced"], user: "lost" });
    expect(node.waits).toEqual([0, 0]);
  });

  it("sends a failed flush again with the next one, and the object applies it once", async () => {
    for (const fault of ["throw-before", "throw-after"] as const) {
      const registry = metricsRegistry();
      const { namespace, calls } = countingMetrics(fault);
      const node = metricsIsolate(registry, { metrics: namespace, held: true });
      for (let i = 0; i < 3; i++) await node.check({ policies: ["enforced"], user: "r" });
      node.release();
      await node.settled();
      // The next count schedules the next flush, which carries the failed batch too.
      await node.check({ policies: ["enforced"], user: "r" });
      node.release();
      await node.settled();
      expect(calls).toEqual(["apply", "apply"]);
      // Applied after all, or not at all: either way counted once.
      expect(await checksIn(registry)).toBe(4);
    }
  });

  it("keeps at most MAX_UNSENT_BATCHES while the object cannot be reached", async () => {
    const registry = metricsRegistry();
    const down = {
      getByName: () => ({
        apply: async () => {
          throw new Error("metrics object unreachable");
        },
      }),
    };
    const node = metricsIsolate(registry, { metrics: down });
    for (let i = 0; i < MAX_UNSENT_BATCHES + 5; i++) {
      await node.check({ policies: ["enforced"], user: `k${i}` });
      await node.services.metrics?.recorder.flush();
    }
    const recorder = node.services.metrics?.recorder as unknown as { unsent: unknown[] };
    const unsent = recorder.unsent;
    expect(unsent.length).toBe(MAX_UNSENT_BATCHES);
  });

  it("keeps at most MAX_UNSENT_ENTRIES rows and subjects, however large the batches", async () => {
    let nowMs = Date.now();
    const recorder = new MetricsRecorder({
      registry: metricsRegistry(),
      send: () => Promise.reject(new Error("metrics object unreachable")),
      abandonedAfterMs: 60_000,
      background: () => {},
      clock: () => nowMs,
    });
    const limited = (user: string) =>
      recorder.checked(
        { door: "http" },
        { user },
        {
          kind: "decided",
          fromCache: false,
          result: {
            allowed: false,
            retryAfterMs: 1000,
            policies: [
              {
                name: "enforced",
                allowed: false,
                limit: 7,
                remaining: 0,
                retryAfterMs: 1000,
                resetMs: 1000,
                windowSeconds: 3600,
                scope: "user",
              },
            ],
          },
        },
      );
    // Two batches of 60 minutes, each minute a full sketch: 6,060 entries a batch.
    for (let batch = 0; batch < 2; batch++) {
      for (let minute = 0; minute < 60; minute++) {
        for (let i = 0; i < TOP_SUBJECTS_CAPACITY; i++) limited(`u${i}`);
        nowMs += 60_000;
      }
      await recorder.flush();
    }
    const { unsent } = recorder as unknown as { unsent: MetricsBatch[] };
    expect(unsent.length).toBe(1);
    const entries = unsent[0]?.subjects.reduce((sum, s) => sum + s.entries.length, 0);
    expect(entries).toBe(60 * TOP_SUBJECTS_CAPACITY);
    expect(MAX_UNSENT_ENTRIES).toBeLessThan(2 * 60 * TOP_SUBJECTS_CAPACITY);
  });

  it("flushes again after a flush whose request the runtime cancelled, which never settles", async () => {
    const sent: MetricsBatch[][] = [];
    const recorder = new MetricsRecorder({
      registry: metricsRegistry(),
      send: (batches) => {
        sent.push(batches);
        return sent.length === 1 ? new Promise(() => {}) : Promise.resolve(batches.length);
      },
      abandonedAfterMs: 20,
      background: () => {},
    });
    const count = (user: string) =>
      recorder.checked({ door: "http" }, { user }, { kind: "unavailable", policies: ["enforced"] });
    count("a");
    void recorder.flush();
    count("b");
    expect(await recorder.flush()).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it("answers from the aggregate of every isolate, whichever serves the reading", async () => {
    const registry = metricsRegistry();
    const one = metricsIsolate(registry);
    const two = metricsIsolate(registry);
    const reader = metricsIsolate(registry);
    for (let i = 0; i < 4; i++) await one.check({ policies: ["enforced"], user: "one" });
    for (let i = 0; i < 6; i++) await two.check({ policies: ["shadowed"], user: "two" });
    await Promise.all([one.settled(), two.settled()]);
    // The writers' clocks moved on while their flushes waited: read a minute later.
    reader.advance(60_000);
    const report = await reader.report();
    expect(policyIn(report, "enforced").counts.checks).toBe(4);
    expect(policyIn(report, "shadowed").counts).toMatchObject({ checks: 6, shadowDenied: 4 });
    expect(policyIn(report, "shadowed").topSubjects.subjects).toEqual([
      { id: "USER:two", subject: { user: "two" }, count: 4 },
    ]);
  });

  it("reads its own isolate's counts at once: a reading flushes them first", async () => {
    const registry = metricsRegistry();
    const node = metricsIsolate(registry, { held: true });
    for (let i = 0; i < 3; i++) await node.check({ policies: ["enforced"], user: "self" });
    const report = await node.report();
    expect(policyIn(report, "enforced").counts.checks).toBe(3);
    node.release();
    await node.settled();
    expect(policyIn(await node.report(), "enforced").counts.checks).toBe(3);
  });
});
