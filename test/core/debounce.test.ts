import { describe, expect, it } from "vitest";
import { debounceDecide, debounceRefund, MAX_FINGERPRINTS } from "../../src/core/debounce.ts";

const twoSeconds = { kind: "debounce", windowSeconds: 2 } as const;

describe("debounce", () => {
  it("rejects the same content inside the window and lets other content through", () => {
    const first = debounceDecide(twoSeconds, undefined, "hello", 0);
    expect(first.allowed).toBe(true);
    const repeat = debounceDecide(twoSeconds, first.next, "hello", 500);
    expect(repeat).toMatchObject({ allowed: false, retryAfterMs: 1_500 });
    expect(debounceDecide(twoSeconds, first.next, "world", 500).allowed).toBe(true);
  });

  it("lets the same content through again once the window has passed", () => {
    const first = debounceDecide(twoSeconds, undefined, "hello", 0);
    const again = debounceDecide(twoSeconds, first.next, "hello", 2_000);
    expect(again.allowed).toBe(true);
    expect(Object.keys(again.next?.until ?? {})).toHaveLength(1);
  });

  it("remembers a repeat of an older message, not only the last one", () => {
    let state = debounceDecide(twoSeconds, undefined, "a", 0).next;
    state = debounceDecide(twoSeconds, state, "b", 10).next;
    expect(debounceDecide(twoSeconds, state, "a", 20).allowed).toBe(false);
  });

  it("keeps at most MAX_FINGERPRINTS per subject", () => {
    let state: ReturnType<typeof debounceDecide>["next"];
    for (let i = 0; i <= MAX_FINGERPRINTS; i++) {
      state = debounceDecide(twoSeconds, state, `m${i}`, i).next;
    }
    expect(Object.keys(state?.until ?? {})).toHaveLength(MAX_FINGERPRINTS);
    expect(debounceDecide(twoSeconds, state, "m0", 300).allowed).toBe(true);
    expect(debounceDecide(twoSeconds, state, `m${MAX_FINGERPRINTS}`, 300).allowed).toBe(false);
  });

  it("refunds an admission so the same content may pass", () => {
    const first = debounceDecide(twoSeconds, undefined, "hello", 0);
    const refunded = debounceRefund(first.next, first.receipt as never, 1);
    expect(debounceDecide(twoSeconds, refunded, "hello", 2).allowed).toBe(true);
  });
});
