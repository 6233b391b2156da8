import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpaceSaving } from "../../src/core/space-saving.ts";

const truth = (stream: string[]) => {
  const counts = new Map<string, number>();
  for (const item of stream) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
};

// Skewed streams, as limited subjects are: a few heavy items among many light ones.
const stream = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("a", "b", "c") },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 400 }).map((n) => `s${n}`) },
  ),
  { maxLength: 2_000 },
);

describe("Space-Saving", () => {
  it("is exact while it has room", () => {
    const sketch = new SpaceSaving(4);
    for (const item of ["x", "y", "x", "z", "x", "y"]) sketch.add(item);
    expect(sketch.top()).toEqual([
      { item: "x", count: 3, error: 0 },
      { item: "y", count: 2, error: 0 },
      { item: "z", count: 1, error: 0 },
    ]);
    expect(sketch.floor()).toBe(0);
    expect(sketch.total).toBe(6);
  });

  it("never underestimates a listed item, overestimates by at most its error and total/capacity, and lists every item heavier than that", () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 40 }), (items, capacity) => {
        const sketch = new SpaceSaving(capacity);
        for (const item of items) sketch.add(item);
        const bound = items.length / capacity;
        const listed = new Map(sketch.top().map((e) => [e.item, e]));
        expect(sketch.size).toBeLessThanOrEqual(capacity);
        expect(sketch.floor()).toBeLessThanOrEqual(bound);
        for (const [item, weight] of truth(items)) {
          const entry = listed.get(item);
          if (entry === undefined) {
            expect(weight).toBeLessThanOrEqual(sketch.floor());
            continue;
          }
          expect(entry.count).toBeGreaterThanOrEqual(weight);
          expect(entry.count - weight).toBeLessThanOrEqual(entry.error);
          expect(entry.error).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("fed other sketches' entries as weights, stays within both stages' bounds", () => {
    fc.assert(
      fc.property(fc.array(stream, { maxLength: 8 }), (parts) => {
        const capacity = 10;
        const merged = new SpaceSaving(capacity);
        for (const part of parts) {
          const sketch = new SpaceSaving(capacity);
          for (const item of part) sketch.add(item);
          merged.addAll(sketch.top());
        }
        const all = parts.flat();
        expect(merged.total).toBe(all.length);
        const listed = new Map(merged.top().map((e) => [e.item, e.count]));
        for (const [item, weight] of truth(all)) {
          // Two stages, each within total/capacity.
          expect(Math.abs((listed.get(item) ?? 0) - weight)).toBeLessThanOrEqual(
            (2 * all.length) / capacity,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a capacity that holds nothing", () => {
    expect(() => new SpaceSaving(0)).toThrow("capacity must be a positive integer, got 0");
  });
});
