import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bundledRegistry } from "../../src/config/bundled.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { appFor, rpcFor } from "../app.ts";
import { api, TOKEN } from "../helpers.ts";

// A worker started with `--env staging` (POLICY_ENV = "staging") serves the fixture's
// staging set: bundledRegistry is what src/index.ts builds the services from.

const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
const staging = bundledRegistry("staging");
const stagingApp = appFor(staging);

interface Listed {
  environment: string | null;
  policies: { name: string; quota: number; enabled: boolean }[];
}

const listed = async (res: Response) => (await res.json()) as Listed;
const byName = (list: Listed, name: string) => list.policies.find((p) => p.name === name);

describe("the policy set of the environment in force", () => {
  it("says which environment is in force in GET /v1/policies and RPC policies()", async () => {
    const base = await listed(await api("/v1/policies"));
    expect(base.environment).toBeNull();
    const over = await listed(await stagingApp.request("/v1/policies", { headers: auth }, env));
    expect(over.environment).toBe("staging");
    expect(byName(base, "user_throttle")?.quota).toBe(5);
    expect(byName(over, "user_throttle")?.quota).toBe(50);
    expect(byName(over, "new_rule_shadow")?.enabled).toBe(false);
    expect(byName(over, "staging_only")).toBeDefined();
    expect(byName(base, "staging_only")).toBeUndefined();
    expect((await rpcFor(staging).policies()).environment).toBe("staging");
  });

  it("serves the environment's limits", async () => {
    const check = (app: ReturnType<typeof appFor>, user: string) =>
      app.request(
        "/v1/check",
        {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ policies: ["login_provider"], user, bucket: "google" }),
        },
        env,
      );
    const statuses = async (app: ReturnType<typeof appFor>, user: string) => {
      const seen: number[] = [];
      for (let i = 0; i < 6; i++) seen.push((await check(app, user)).status);
      return seen;
    };
    // login_provider: 5 a minute in the base, 2 in staging.
    expect(await statuses(stagingApp, "env-staging")).toEqual([200, 200, 429, 429, 429, 429]);
    expect(await statuses(appFor(), "env-base")).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("builds the base alone without POLICY_ENV, and refuses one policies.json lacks", () => {
    expect(bundledRegistry(undefined).environment).toBeUndefined();
    expect(() => bundledRegistry("production")).toThrow(ConfigError);
    expect(() => bundledRegistry("production")).toThrow(
      "environments.production is not defined, and POLICY_ENV names it.",
    );
  });
});
