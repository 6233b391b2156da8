import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.ts";
import { Registry } from "../../src/config/registry.ts";

// policies.json's "environments": per wrangler environment, changes over the base policies.

const base = {
  app: "envs",
  policies: {
    user_throttle: { kind: "throttle", rate: 5, per: 60, description: "5 a minute" },
    login_ip: { kind: "throttle", capacity: 5, refillPerMinute: 5, scope: "ip" },
    buttons: { kind: "debounce", window: 3, perRequestBucket: true },
    retired: { kind: "window", limit: 10, window: 60, enabled: false },
  },
  telegram: {
    bots: {
      demo: {
        origin: "https://bot.example.com",
        secretTokenSecret: "S",
        rules: [{ name: "buttons", policies: ["buttons"], bucketFrom: "callbackAction" }],
      },
    },
  },
};

const withStaging = (policies: object) => ({
  ...base,
  environments: { staging: { policies } },
});

function problems(json: unknown, environment?: string): string[] {
  try {
    Registry.fromJson(json, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("environments in policies.json", () => {
  it("replaces the fields an environment gives and keeps the rest of the base", () => {
    const json = withStaging({ user_throttle: { rate: 50 }, retired: { enabled: true } });
    const staging = Registry.fromJson(json, "staging");
    expect(staging.environment).toBe("staging");
    expect(staging.get("user_throttle")).toMatchObject({
      limit: { kind: "throttle", capacity: 50, refillTokens: 50, refillSeconds: 60 },
      description: "5 a minute",
    });
    expect(staging.get("retired").enabled).toBe(true);
    // The base alone, without an environment or with an empty POLICY_ENV.
    for (const environment of [undefined, ""]) {
      const registry = Registry.fromJson(json, environment);
      expect(registry.environment).toBeUndefined();
      expect(registry.environments).toEqual(["staging"]);
      expect(registry.get("user_throttle").limit).toMatchObject({ capacity: 5 });
    }
  });

  it("adds a policy with its kind, and switches one off", () => {
    const staging = Registry.fromJson(
      withStaging({
        probe: { kind: "throttle", rate: 1000, per: 1, scope: "key" },
        user_throttle: { enabled: false },
      }),
      "staging",
    );
    expect(staging.get("probe")).toMatchObject({ scope: "key", enabled: true });
    expect(staging.get("user_throttle").enabled).toBe(false);
    expect(
      Registry.fromJson(withStaging({ probe: { kind: "debounce", window: 1 } })).has("probe"),
    ).toBe(false);
  });

  it("lets a throttle change spelling: the base's other spelling is dropped", () => {
    const staging = Registry.fromJson(withStaging({ login_ip: { rate: 100, per: 60 } }), "staging");
    expect(staging.get("login_ip").limit).toEqual({
      kind: "throttle",
      capacity: 100,
      refillTokens: 100,
      refillSeconds: 60,
    });
  });

  it("never changes a policy's kind", () => {
    expect(problems(withStaging({ user_throttle: { kind: "window", limit: 5 } }))).toEqual([
      'environments.staging.policies.user_throttle.kind cannot change: the base policy is a throttle, got "window"',
    ]);
    expect(
      Registry.fromJson(withStaging({ user_throttle: { kind: "throttle" } }), "staging").get(
        "user_throttle",
      ),
    ).toMatchObject({ name: "user_throttle" });
  });

  it("names the environment, the policy and the field of every fault", () => {
    expect(
      problems(
        withStaging({
          user_throttle: { rate: 0, scoep: "chat" },
          buttons: { window: 100_000 },
          login_ip: { burst: 1, rate: 3, per: 60 },
        }),
      ),
    ).toEqual([
      "environments.staging.policies.user_throttle.rate must be a positive integer, got 0",
      "environments.staging.policies.user_throttle.scoep is not a known field. Did you mean: scope?",
    ]);
    expect(problems(withStaging({ user_throtle: { rate: 3 } }))).toEqual([
      "environments.staging.policies.user_throtle is not a base policy: give its kind to add it here. Did you mean: user_throttle?",
    ]);
    // Each change valid alone, the merged policy not: checked whole, still named.
    expect(
      problems(
        withStaging({ buttons: { window: 100_000 }, login_ip: { burst: 1, rate: 3, per: 60 } }),
      ),
    ).toEqual([
      "environments.staging.policies.login_ip.burst must be at least rate (3), got 1",
      "environments.staging.policies.buttons.window must be at most 86400, got 100000",
    ]);
    expect(problems(withStaging({ user_throttle: { ttl: 60 } }))).toEqual([
      "environments.staging.policies.user_throttle.ttl is not a field of this kind of policy",
    ]);
  });

  it("checks the Telegram rules against each environment's set, naming the environment", () => {
    expect(problems(withStaging({ buttons: { perRequestBucket: false } }))).toEqual([
      'telegram.bots.demo.rules[0] ("buttons") has bucketFrom "callbackAction", but none of its policies takes a bucket: set "perRequestBucket": true on one, or remove bucketFrom (in environment staging)',
    ]);
  });

  it("refuses a POLICY_ENV that names no environment, and bad environment sections", () => {
    expect(problems(withStaging({}), "stagign")).toEqual([
      "environments.stagign is not defined, and POLICY_ENV names it. Did you mean: staging?",
    ]);
    expect(problems(base, "staging")).toEqual([
      "environments.staging is not defined, and POLICY_ENV names it.",
    ]);
    expect(problems({ ...base, environments: { staging: { polices: {} } } })).toEqual([
      "environments.staging.policies is required",
      "environments.staging.polices is not a known field. Did you mean: policies?",
    ]);
    expect(problems({ ...base, environments: { "pre prod": { policies: {} } } })).toEqual([
      "environments.pre prod is not a valid environment name: use 1-64 of A-Z a-z 0-9 _ -",
    ]);
  });
});
