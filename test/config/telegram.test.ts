import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.ts";
import { Registry } from "../../src/config/registry.ts";

const policies = {
  user_throttle: { kind: "throttle", rate: 5, per: 60 },
  jobs: { kind: "concurrency", limit: 1, ttl: 60 },
  per_ip: { kind: "throttle", rate: 5, per: 60, scope: "ip" },
  per_action: { kind: "debounce", window: 3, perRequestBucket: true },
};

function problems(bot: Record<string, unknown>): string[] {
  try {
    Registry.fromJson({
      policies,
      telegram: {
        bots: { mybot: { origin: "https://bot.example.com", secretTokenSecret: "S", ...bot } },
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("telegram section of policies.json", () => {
  it("accepts a bot with defaults filled in", () => {
    const registry = Registry.fromJson({
      policies,
      telegram: { bots: { mybot: { origin: "BOT", secretTokenSecret: "S" } } },
    });
    expect(registry.bot("mybot")).toMatchObject({
      timeoutSeconds: 50,
      failMode: "open",
      rules: [],
      default: { policies: [], onDeny: "drop" },
    });
    expect(registry.bot("constructor")).toBeUndefined();
  });

  it("names rules that point at unknown or unusable policies", () => {
    expect(
      problems({
        rules: [{ policies: ["user_throtle"] }, { policies: ["per_ip"] }],
        default: { policies: ["jobs"] },
      }),
    ).toEqual([
      'telegram.bots.mybot.rules[0].policies[0] names unknown policy "user_throtle". Did you mean: user_throttle?',
      'telegram.bots.mybot.rules[1].policies[0] names "per_ip", scoped by ip, which a Telegram update never carries',
      'telegram.bots.mybot.default.policies[0] names "jobs", a concurrency policy, which needs leases',
    ]);
  });

  it("refuses plain-http origins other than loopback, bad patterns and bad commands", () => {
    expect(problems({ origin: "http://bot.example.com" })).toEqual([
      'telegram.bots.mybot.origin must be an https URL (http only for localhost) or a service binding name, got "http://bot.example.com"',
    ]);
    expect(problems({ origin: "http://localhost:3000/hook" })).toEqual([]);
    expect(problems({ rules: [{ match: { textPattern: "(" }, policies: [] }] })).toEqual([
      "telegram.bots.mybot.rules[0].match.textPattern must be a valid regular expression",
    ]);
    expect(problems({ rules: [{ match: { commands: ["start"] }, policies: [] }] })).toEqual([
      'telegram.bots.mybot.rules[0].match.commands[0] must look like "/start"',
    ]);
  });

  it("takes bucketFrom only on a rule one of whose policies takes a bucket, naming the rule", () => {
    expect(
      problems({
        rules: [
          {
            name: "buttons",
            policies: ["per_action", "user_throttle"],
            bucketFrom: "callbackAction",
          },
          { policies: ["user_throttle"], bucketFrom: "command" },
        ],
        default: { policies: [], bucketFrom: "updateType" },
      }),
    ).toEqual([
      'telegram.bots.mybot.rules[1] has bucketFrom "command", but none of its policies takes a bucket: set "perRequestBucket": true on one, or remove bucketFrom',
      'telegram.bots.mybot.default has bucketFrom "updateType", but none of its policies takes a bucket: set "perRequestBucket": true on one, or remove bucketFrom',
    ]);
    expect(problems({ rules: [{ policies: ["per_action"], bucketFrom: "action" }] })).toEqual([
      'telegram.bots.mybot.rules[0].bucketFrom must be one of command, callbackAction, updateType, got "action"',
    ]);
  });

  it("names a rule whose per-bucket policy would never count for want of bucketFrom", () => {
    expect(problems({ rules: [{ name: "buttons", policies: ["per_action"] }] })).toEqual([
      'telegram.bots.mybot.rules[0] ("buttons") names "per_action", which counts per bucket, but has no bucketFrom to take one from the update, so it would never count',
    ]);
  });
});
