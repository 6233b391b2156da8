import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { zeroCounts } from "../../src/metrics/counts.ts";
import { type MetricsObject, RETAIN_MINUTES, SUBJECT_MINUTES } from "../../src/metrics/object.ts";
import { metricsRegistry, metricsStub } from "./harness.ts";

const row = (minute: number, checks: number) => ({
  minute,
  policy: "enforced",
  door: "http",
  bot: "",
  rule: "",
  ...zeroCounts(),
  checks,
});

const subjects = (minute: number, item: string, count: number) => ({
  minute,
  policy: "enforced",
  total: count,
  entries: [{ item, count, error: 0 }],
});

describe("the metrics object", () => {
  it("applies a batch once, however often it is sent", async () => {
    const stub = metricsStub(metricsRegistry());
    const minute = Math.floor(Date.now() / 60_000);
    const batch = { id: "isolate-a:1", counts: [row(minute, 5)], subjects: [], gateway: [] };
    expect(await stub.apply([batch])).toBe(1);
    expect(await stub.apply([batch, { ...batch, id: "isolate-a:2" }])).toBe(1);
    const window = await stub.window(minute, minute);
    expect(window.counts.map((r) => r.checks)).toEqual([10]);
    expect((await stub.totals()).counts.map((r) => r.checks)).toEqual([10]);
  });

  it("keeps counts a day and subjects an hour, totals for good", async () => {
    const stub = metricsStub(metricsRegistry());
    const nowMs = Date.now();
    const minute = Math.floor(nowMs / 60_000);
    await runInDurableObject(stub, (instance: MetricsObject) => {
      (instance as unknown as { clock: () => number }).clock = () => nowMs;
    });
    const old = minute - RETAIN_MINUTES - 1;
    const oldSubjects = minute - SUBJECT_MINUTES - 1;
    await stub.apply([
      {
        id: "b:1",
        counts: [row(old, 1), row(oldSubjects, 2), row(minute, 3)],
        subjects: [subjects(oldSubjects, "USER:old", 2), subjects(minute, "USER:new", 3)],
        gateway: [],
      },
    ]);
    const window = await stub.window(old - 1, minute);
    expect(window.counts.map((r) => [r.minute, r.checks])).toEqual([
      [oldSubjects, 2],
      [minute, 3],
    ]);
    expect(window.top).toEqual([
      { policy: "enforced", limited: 3, subjects: [{ id: "USER:new", count: 3, error: 0 }] },
    ]);
    expect((await stub.totals()).counts.map((r) => r.checks)).toEqual([6]);
  });

  it("sums a policy's minute sketches into its top subjects, heaviest first", async () => {
    const stub = metricsStub(metricsRegistry());
    const minute = Math.floor(Date.now() / 60_000);
    await stub.apply([
      {
        id: "c:1",
        counts: [],
        subjects: [
          subjects(minute - 2, "USER:a", 4),
          subjects(minute - 1, "USER:b", 5),
          subjects(minute, "USER:a", 3),
        ],
        gateway: [],
      },
    ]);
    const { top } = await stub.window(minute - 10, minute);
    expect(top[0]?.subjects).toEqual([
      { id: "USER:a", count: 7, error: 0 },
      { id: "USER:b", count: 5, error: 0 },
    ]);
    expect(top[0]?.limited).toBe(12);
  });
});
