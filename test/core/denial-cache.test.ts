import { describe, expect, it } from "vitest";
import { DenialCache } from "../../src/core/denial-cache.ts";

describe("denial cache", () => {
  it("repeats a denial until its horizon, then forgets it", () => {
    const cache = new DenialCache<string>(10);
    cache.set("k", 1, 1_000, "denied", 0);
    expect(cache.get("k", 1, 999)).toEqual({ result: "denied", remainingMs: 1 });
    expect(cache.get("k", 1, 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("answers the same or a higher cost, never a lower one", () => {
    const cache = new DenialCache<string>(10);
    cache.set("k", 3, 1_000, "denied", 0);
    expect(cache.get("k", 5, 10)).toBeDefined();
    expect(cache.get("k", 3, 10)).toBeDefined();
    expect(cache.get("k", 2, 10)).toBeUndefined();
    // A denial at a lower cost answers more checks, so it replaces the higher one.
    cache.set("k", 1, 500, "cheaper", 10);
    expect(cache.get("k", 2, 20)?.result).toBe("cheaper");
    cache.set("k", 4, 2_000, "dearer", 20);
    expect(cache.get("k", 1, 30)?.result).toBe("cheaper");
  });

  it("keeps at most maxEntries, dropping expired ones first, then the oldest", () => {
    const cache = new DenialCache<number>(3);
    cache.set("a", 1, 100, 1, 0);
    cache.set("b", 1, 5_000, 2, 0);
    cache.set("c", 1, 5_000, 3, 0);
    cache.set("d", 1, 5_000, 4, 200);
    expect(cache.get("a", 1, 200)).toBeUndefined();
    expect(cache.get("b", 1, 200)).toBeDefined();
    cache.set("e", 1, 5_000, 5, 200);
    expect(cache.size).toBe(3);
    expect(cache.get("b", 1, 200)).toBeUndefined();
  });

  it("forgets what a reset cleared", () => {
    const cache = new DenialCache<number>(3);
    cache.set("app:p:USER:1#", 1, 5_000, 1, 0);
    cache.forget("app:p:USER:1");
    expect(cache.get("app:p:USER:1#", 1, 1)).toBeUndefined();
  });
});
