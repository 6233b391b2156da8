import { describe, expect, it } from "vitest";
import bundled from "../../policies.json";
import bundledSchema from "../../policies.schema.json";
import { ConfigError } from "../../src/config/errors.ts";
import { policiesJsonSchema } from "../../src/config/json-schema.ts";
import { Registry, UnknownPolicyError } from "../../src/config/registry.ts";

function problems(json: unknown): string[] {
  try {
    Registry.fromJson(json);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

const one = (policy: object) => ({ app: "sentinel", policies: { p: policy } });

describe("policies.json validation", () => {
  it("accepts the bundled file", () => {
    expect(Registry.fromJson(bundled).list().length).toBeGreaterThan(5);
  });

  it("names the policy and the field, and shows the value", () => {
    expect(
      problems({ policies: { user_throttle: { kind: "throttle", rate: 0, per: 60 } } }),
    ).toEqual(["policies.user_throttle.rate must be a positive integer, got 0"]);
    expect(problems(one({ kind: "throttle", rate: 1.5, per: 60 }))).toEqual([
      "policies.p.rate must be a positive integer, got 1.5",
    ]);
    expect(problems(one({ kind: "debounce", window: "2" }))).toEqual([
      'policies.p.window must be a positive integer, got "2"',
    ]);
    expect(problems(one({ kind: "window", limit: 5 }))).toEqual(["policies.p.window is required"]);
  });

  it("says which kinds exist", () => {
    expect(problems(one({ kind: "bucket" }))).toEqual([
      "policies.p.kind must be one of throttle, debounce, window, concurrency",
    ]);
  });

  it("suggests the field a typo meant", () => {
    expect(problems(one({ kind: "throttle", rate: 1, per: 60, scoep: "user" }))).toEqual([
      "policies.p.scoep is not a known field. Did you mean: scope?",
    ]);
    expect(problems(one({ kind: "throttle", rate: 1, per: 60, scope: "users" }))).toEqual([
      'policies.p.scope must be one of user, chat, group, global, ip, key, got "users"',
    ]);
    expect(problems(one({ kind: "throttle", rate: 1, per: 60, ttl: 60 }))).toEqual([
      "policies.p.ttl is not a field of this kind of policy",
    ]);
  });

  it("takes a bucket per request on opting in, with a bound on live buckets", () => {
    const p = (extra: object) => Registry.fromJson(one({ kind: "debounce", window: 2, ...extra }));
    expect(p({}).get("p")).toMatchObject({ perRequestBucket: false, maxBuckets: undefined });
    expect(p({ perRequestBucket: true }).get("p")).toMatchObject({ maxBuckets: 64 });
    expect(p({ perRequestBucket: true, maxBuckets: 5 }).get("p").maxBuckets).toBe(5);
    expect(problems(one({ kind: "debounce", window: 2, maxBuckets: 5 }))).toEqual([
      'policies.p.maxBuckets applies only with "perRequestBucket": true',
    ]);
    expect(
      problems(one({ kind: "debounce", window: 2, perRequestBucket: true, maxBuckets: 5000 })),
    ).toEqual(["policies.p.maxBuckets must be at most 1024, got 5000"]);
    expect(problems(one({ kind: "debounce", window: 2, perRequestBucket: "yes" }))).toEqual([
      'policies.p.perRequestBucket must be true or false, got "yes"',
    ]);
  });

  it("leases a throttle's tokens on opting in, where grants can keep it exact", () => {
    const t = { kind: "throttle", rate: 1000, per: 1, scope: "global" };
    expect(Registry.fromJson(one({ ...t, lease: true })).get("p").lease).toBe(true);
    expect(problems(one({ ...t, lease: true, mode: "shadow" }))).toEqual([
      "policies.p.lease applies to enforced policies: a shadow policy is decided by its object",
    ]);
    expect(problems(one({ ...t, lease: true, perRequestBucket: true }))).toEqual([
      "policies.p.lease cannot be combined with perRequestBucket, whose buckets its object bounds",
    ]);
    expect(problems(one({ kind: "throttle", rate: 1, per: 1, burst: 3, lease: true }))).toEqual([
      "policies.p.lease needs a bucket of at least 4 tokens (got 3): grants leave what refills in a lease's life in the bucket",
    ]);
    expect(problems(one({ kind: "window", limit: 5, window: 60, lease: true }))).toEqual([
      "policies.p.lease is not a field of this kind of policy",
    ]);
  });

  it("accepts both throttle spellings and refuses a mix", () => {
    const registry = Registry.fromJson({
      policies: {
        a: { kind: "throttle", rate: 5, per: 60 },
        b: { kind: "throttle", rate: 1, per: 1, burst: 10 },
        c: { kind: "throttle", capacity: 10, refillPerMinute: 5 },
      },
    });
    expect(registry.get("a").limit).toEqual({
      kind: "throttle",
      capacity: 5,
      refillTokens: 5,
      refillSeconds: 60,
    });
    expect(registry.get("b").limit).toEqual({
      kind: "throttle",
      capacity: 10,
      refillTokens: 1,
      refillSeconds: 1,
    });
    expect(registry.get("c").limit).toEqual({
      kind: "throttle",
      capacity: 10,
      refillTokens: 5,
      refillSeconds: 60,
    });
    expect(problems(one({ kind: "throttle", rate: 5, per: 60, capacity: 5 }))).toEqual([
      "policies.p.capacity cannot be combined with rate/per/burst: use one spelling",
    ]);
    expect(problems(one({ kind: "throttle", rate: 5, per: 60, burst: 2 }))).toEqual([
      "policies.p.burst must be at least rate (5), got 2",
    ]);
    expect(problems(one({ kind: "throttle", capacity: 5 }))).toEqual([
      "policies.p.refillPerMinute is required with capacity",
    ]);
  });

  it("takes an IPv6 prefix for ip-scoped policies only, within 32-128", () => {
    const ip = (ipv6Prefix: unknown, scope = "ip") =>
      one({ kind: "throttle", rate: 1, per: 60, scope, ipv6Prefix });
    expect(Registry.fromJson(ip(48)).get("p").ipv6Prefix).toBe(48);
    expect(
      Registry.fromJson(one({ kind: "throttle", rate: 1, per: 60, scope: "ip" })).get("p"),
    ).toMatchObject({ ipv6Prefix: 64 });
    expect(problems(ip(20))).toEqual(["policies.p.ipv6Prefix must be an integer ≥ 32, got 20"]);
    expect(problems(ip(129))).toEqual(["policies.p.ipv6Prefix must be at most 128, got 129"]);
    expect(problems(ip(56, "user"))).toEqual([
      "policies.p.ipv6Prefix applies only to scope ip, and this policy has scope user",
    ]);
    expect(
      problems(one({ kind: "throttle", rate: 1, per: 60, scope: "ip", ipv6prefix: 56 })),
    ).toEqual(["policies.p.ipv6prefix is not a known field. Did you mean: ipv6Prefix?"]);
  });

  it("fills defaults a user would expect", () => {
    const p = Registry.fromJson(one({ kind: "debounce", window: 2 })).get("p");
    expect(p).toMatchObject({ scope: "user", enabled: true, mode: "enforce" });
  });

  it("rejects names that differ only by case, and unusable names", () => {
    const twins = { kind: "debounce", window: 1 };
    expect(problems({ policies: { Spam: twins, spam: twins } })).toEqual([
      'policies.spam differs from policy "Spam" only by case; names must differ by more',
    ]);
    expect(problems({ policies: { "a:b": twins } })[0]).toMatch(
      /^policies\.a:b is not a valid policy name/,
    );
  });

  it("rejects unknown top-level sections and a missing policies object", () => {
    expect(problems({ policy: {} })).toEqual([
      "policies is required",
      "policy is not a known field. Did you mean: policies?",
    ]);
  });

  it("suggests close policy names for an unknown one", () => {
    const registry = Registry.fromJson(bundled);
    expect(() => registry.get("user_throtle")).toThrow(UnknownPolicyError);
    expect(() => registry.get("user_throtle")).toThrow(
      'unknown policy "user_throtle". Did you mean: user_throttle?',
    );
    expect(() => registry.get("zzz")).toThrow(/^unknown policy "zzz"\.$/);
  });

  it("ships a policies.schema.json generated from the validator", () => {
    expect(bundledSchema).toEqual(JSON.parse(policiesJsonSchema()));
  });
});
