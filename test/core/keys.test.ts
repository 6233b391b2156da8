import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalKey,
  identifierProblem,
  type KeyParts,
  parseCanonicalKey,
  subjectKey,
} from "../../src/core/keys.ts";
import { resolveScope, SCOPES, type Scope } from "../../src/core/scopes.ts";

const NEEDS: Record<Scope, number> = { user: 1, chat: 1, group: 2, global: 0, ip: 1, key: 1 };

const identifier = fc
  .string({ minLength: 1, maxLength: 20, unit: "grapheme" })
  .filter((s) => identifierProblem(s) === undefined);

// Ids and buckets may look like the markers of the optional parts: a user "r=x", a bucket
// "b=y". The key must stay injective all the same.
const tricky = fc.oneof(identifier, fc.constantFrom("m=x", "b=x", "r=x", "r=", "x"));

const parts: fc.Arbitrary<KeyParts> = fc
  .record({
    app: fc.constantFrom("sentinel", "app2"),
    namespace: fc.constantFrom("throttle", "t2", "m=x"),
    scope: fc.constantFrom(...SCOPES),
    ids: fc.array(tricky, { minLength: 2, maxLength: 2 }),
    method: fc.option(tricky, { nil: undefined }),
    bucket: fc.option(tricky, { nil: undefined }),
    requestBucket: fc.option(tricky, { nil: undefined }),
  })
  .map((p) => ({ ...p, ids: p.ids.slice(0, NEEDS[p.scope]) }));

const same = (a: KeyParts, b: KeyParts) => JSON.stringify(a) === JSON.stringify(b);

describe("keys", () => {
  it("builds the canonical format", () => {
    const key = canonicalKey({
      app: "sentinel",
      namespace: "user_throttle",
      scope: "group",
      ids: ["12345", "-100678"],
      method: "sendMessage",
      bucket: "handler",
    });
    expect(key).toBe("sentinel:user_throttle:GROUP:12345:-100678:m=sendMessage:b=handler");
    expect(subjectKey({ app: "sentinel", scope: "user", ids: ["1"] })).toBe("sentinel:USER:1");
  });

  it("puts a request's bucket last, under a marker of its own", () => {
    const parts: KeyParts = {
      app: "sentinel",
      namespace: "login_provider",
      scope: "user",
      ids: ["42"],
      bucket: "oauth",
      requestBucket: "google",
    };
    expect(canonicalKey(parts)).toBe("sentinel:login_provider:USER:42:b=oauth:r=google");
    expect(parseCanonicalKey("sentinel:login_provider:USER:42:r=google")).toEqual({
      app: "sentinel",
      namespace: "login_provider",
      scope: "user",
      ids: ["42"],
      requestBucket: "google",
    });
    // Out of order, twice, or empty: not a key this code builds.
    expect(parseCanonicalKey("sentinel:p:USER:42:r=google:b=oauth")).toBeUndefined();
    expect(parseCanonicalKey("sentinel:p:USER:42:r=a:r=b")).toBeUndefined();
    expect(parseCanonicalKey("sentinel:p:USER:42:r=")).toBeUndefined();
  });

  it("refuses identifiers that could collide or are unbounded", () => {
    expect(identifierProblem("")).toBe("must not be empty");
    expect(identifierProblem("a:b")).toMatch(/must not contain ":"/);
    expect(identifierProblem("a\nb")).toMatch(/control characters/);
    expect(identifierProblem("x".repeat(129))).toMatch(/at most 128/);
    expect(identifierProblem("пользователь")).toBeUndefined();
  });

  it("never builds the same key from different inputs, buckets included (property)", () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        if (!same(a, b)) expect(canonicalKey(a)).not.toBe(canonicalKey(b));
      }),
      { numRuns: 5_000 },
    );
    // The same parts but for the request's bucket: random pairs rarely differ only there.
    fc.assert(
      fc.property(parts, fc.option(tricky, { nil: undefined }), (a, requestBucket) => {
        const b = { ...a, requestBucket };
        if (!same(a, b)) expect(canonicalKey(a)).not.toBe(canonicalKey(b));
      }),
      { numRuns: 5_000 },
    );
  });

  it("parses back what it built (property)", () => {
    fc.assert(
      fc.property(parts, (p) => {
        const parsed = parseCanonicalKey(canonicalKey(p));
        expect(parsed && canonicalKey(parsed)).toBe(canonicalKey(p));
      }),
    );
    expect(parseCanonicalKey("sentinel:x:USER")).toBeUndefined();
    expect(parseCanonicalKey("sentinel:x:NOPE:1")).toBeUndefined();
  });
});

describe("scope resolution", () => {
  const both = { user: "1", chat: "-100" };

  it("counts each scope at its own level, so user-within-chat is reachable", () => {
    expect(resolveScope("group", both, 64)).toEqual({
      ok: true,
      scope: "group",
      ids: ["1", "-100"],
    });
    expect(resolveScope("user", both, 64)).toEqual({ ok: true, scope: "user", ids: ["1"] });
    expect(resolveScope("chat", both, 64)).toEqual({ ok: true, scope: "chat", ids: ["-100"] });
    expect(resolveScope("global", both, 64)).toEqual({ ok: true, scope: "global", ids: [] });
  });

  it("skips a policy whose cap cannot be met instead of widening it", () => {
    expect(resolveScope("user", { chat: "-100" }, 64)).toEqual({
      ok: false,
      scope: "user",
      missing: ["user"],
    });
    expect(resolveScope("group", { user: "1" }, 64)).toEqual({
      ok: false,
      scope: "group",
      missing: ["chat"],
    });
    expect(resolveScope("ip", {}, 64)).toMatchObject({ ok: false, missing: ["ip"] });
  });
});
