import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.ts";
import { Registry } from "../../src/config/registry.ts";

const policies = {
  user_throttle: { kind: "throttle", rate: 5, per: 60 },
  jobs: { kind: "concurrency", limit: 1, ttl: 60 },
  per_ip: { kind: "throttle", rate: 5, per: 60, scope: "ip" },
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
});
