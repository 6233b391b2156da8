import { describe, expect, it } from "vitest";
import { type WranglerConfig, wranglerProblems } from "../../src/config/deployments.ts";

// What the build check (`npm run schema:check`, the [build] step) holds wrangler.toml and
// policies.json to, so that `--env NAME` runs the policy set it should.

const policies = {
  policies: { user_throttle: { kind: "throttle", rate: 5, per: 60 } },
  telegram: {
    bots: {
      demo: { origin: "https://bot.example.com", secretTokenSecret: "TELEGRAM_SECRET_DEMO" },
    },
  },
  environments: { staging: { policies: { user_throttle: { rate: 50 } } } },
};

const binding = { name: "LIMITER", class_name: "LimiterObject" };
const secrets = { required: ["API_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN", "TELEGRAM_SECRET_DEMO"] };

/** As the shipped wrangler.toml has it: a staging environment that redeclares what it needs. */
const staging = {
  vars: { POLICY_ENV: "staging" },
  secrets,
  durable_objects: { bindings: [binding] },
};

function wrangler(env: Record<string, object>): WranglerConfig {
  return { secrets, durable_objects: { bindings: [binding] }, env };
}

describe("wrangler.toml against policies.json's environments", () => {
  it("is content when each environment is applied and redeclares what wrangler does not carry", () => {
    expect(wranglerProblems(policies, wrangler({ staging }))).toEqual([]);
    // A wrangler environment may run the base set, or another's.
    const preview = { ...staging, vars: {} };
    const eu = { ...staging, vars: { POLICY_ENV: "staging" } };
    expect(wranglerProblems(policies, wrangler({ staging, preview, "staging-eu": eu }))).toEqual(
      [],
    );
  });

  it("names an environment of policies.json that no wrangler environment applies", () => {
    expect(wranglerProblems(policies, wrangler({ stagin: { ...staging, vars: {} } }))).toEqual([
      'policies.json\'s environments.staging is applied by no environment of wrangler.toml: add [env.staging] with [env.staging.vars] POLICY_ENV = "staging". Did you mean: stagin?',
    ]);
    expect(wranglerProblems(policies, { secrets })).toEqual([
      'policies.json\'s environments.staging is applied by no environment of wrangler.toml: add [env.staging] with [env.staging.vars] POLICY_ENV = "staging".',
    ]);
  });

  it("names a POLICY_ENV that policies.json does not define, and one left unset", () => {
    const typo = { ...staging, vars: { POLICY_ENV: "stagign" } };
    expect(wranglerProblems(policies, wrangler({ staging, other: typo }))).toEqual([
      '[env.other.vars] POLICY_ENV = "stagign" names no environment of policies.json. Did you mean: staging?',
    ]);
    const unset = { ...staging, vars: {} };
    expect(wranglerProblems(policies, wrangler({ staging: unset, eu: staging }))).toEqual([
      '[env.staging.vars] sets no POLICY_ENV, so `--env staging` would run the base policies, not policies.json\'s environments.staging: add POLICY_ENV = "staging"',
    ]);
  });

  it("names a Durable Object binding or a secret an environment does not redeclare", () => {
    const bare = {
      vars: { POLICY_ENV: "staging" },
      secrets: { required: ["API_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN"] },
    };
    expect(wranglerProblems(policies, wrangler({ staging: bare }))).toEqual([
      'telegram.bots.demo.secretTokenSecret names the secret TELEGRAM_SECRET_DEMO, which wrangler.toml\'s [env.staging.secrets] required does not list: add "TELEGRAM_SECRET_DEMO" there, or wrangler dev will not load it from .dev.vars',
      '[env.staging] does not declare the Durable Object binding LIMITER, and wrangler does not carry it over: add [[env.staging.durable_objects.bindings]] name = "LIMITER", class_name = "LimiterObject"',
    ]);
  });
});
