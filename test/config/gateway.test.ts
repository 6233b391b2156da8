import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.ts";
import { Registry } from "../../src/config/registry.ts";
import { unlistedSecrets } from "../../src/config/secrets.ts";

const policies = { p: { kind: "throttle", rate: 5, per: 60 } };

function load(bot: Record<string, unknown>) {
  return Registry.fromJson({ policies, telegram: { bots: { mybot: bot } } });
}

function problems(bot: Record<string, unknown>): string[] {
  try {
    load(bot);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("a bot's gateway in policies.json", () => {
  it("fills in Telegram's published limits, its API and a 3 s wait", () => {
    const bot = load({ gateway: { tokenSecret: "TOKEN_MYBOT" } }).bot("mybot");
    expect(bot?.gateway).toEqual({
      tokenSecret: "TOKEN_MYBOT",
      upstream: "https://api.telegram.org",
      maxWaitSeconds: 3,
      limits: {
        perChat: { rate: 1, per: 1, burst: 1 },
        perGroup: { rate: 20, per: 60 },
        perBot: { rate: 30, per: 1 },
      },
    });
    expect(bot?.origin).toBeUndefined();
  });

  it("takes each field given and defaults the rest, per limit", () => {
    const bot = load({
      gateway: {
        tokenSecret: "T",
        upstream: "http://127.0.0.1:8081/",
        maxWaitSeconds: 0,
        limits: { perChat: { rate: 2, burst: 5 }, perGroup: { per: 30 } },
      },
    }).bot("mybot");
    expect(bot?.gateway).toMatchObject({
      upstream: "http://127.0.0.1:8081",
      maxWaitSeconds: 0,
      limits: {
        perChat: { rate: 2, per: 1, burst: 5 },
        perGroup: { rate: 20, per: 30 },
        perBot: { rate: 30, per: 1 },
      },
    });
  });

  it("names the field at fault", () => {
    expect(
      problems({
        gateway: {
          upstream: "http://api.example.com",
          maxWaitSeconds: 61,
          limits: { perChat: { rate: 3, burst: 0 }, perGroup: { rat: 10 }, perBot: { per: 0 } },
        },
      }),
    ).toEqual([
      "telegram.bots.mybot.gateway.tokenSecret is required",
      'telegram.bots.mybot.gateway.upstream must be an https URL without query (http only for localhost), got "http://api.example.com"',
      "telegram.bots.mybot.gateway.maxWaitSeconds must be at most 60, got 61",
      "telegram.bots.mybot.gateway.limits.perChat.burst must be a positive integer, got 0",
      "telegram.bots.mybot.gateway.limits.perGroup.rat is not a known field.",
      "telegram.bots.mybot.gateway.limits.perBot.per must be a positive integer, got 0",
    ]);
    expect(problems({ gateway: { tokenSecret: "bad name" } })).toEqual([
      'telegram.bots.mybot.gateway.tokenSecret must be a binding name (A-Z, 0-9, _), got "bad name"',
    ]);
  });
});

describe("the webhook front and the gateway", () => {
  it("needs one of them, and the webhook's fields together", () => {
    expect(problems({})).toEqual([
      "telegram.bots.mybot needs origin and secretTokenSecret (the webhook front), a gateway, or both",
    ]);
    expect(problems({ origin: "https://bot.example.com" })).toEqual([
      "telegram.bots.mybot.secretTokenSecret is required with origin",
    ]);
    expect(problems({ secretTokenSecret: "S", gateway: { tokenSecret: "T" } })).toEqual([
      "telegram.bots.mybot.origin is required with secretTokenSecret",
    ]);
  });

  it("refuses webhook rules on a bot that has no webhook front", () => {
    expect(
      problems({ gateway: { tokenSecret: "T" }, rules: [{ policies: ["p"] }], originSecret: "O" }),
    ).toEqual([
      "telegram.bots.mybot.rules applies to the webhook front, which needs origin and secretTokenSecret",
      "telegram.bots.mybot.originSecret applies to the webhook front, which needs origin and secretTokenSecret",
    ]);
  });

  it("accepts both on one bot", () => {
    const bot = load({
      origin: "https://bot.example.com",
      secretTokenSecret: "S",
      gateway: { tokenSecret: "T" },
    }).bot("mybot");
    expect(bot?.origin).toBe("https://bot.example.com");
    expect(bot?.gateway?.tokenSecret).toBe("T");
  });

  it("lists the token's secret among those wrangler.toml must require", () => {
    const registry = load({ gateway: { tokenSecret: "TELEGRAM_TOKEN_MYBOT" } });
    expect(unlistedSecrets(registry, ["API_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN"])).toEqual([
      'telegram.bots.mybot.gateway.tokenSecret names the secret TELEGRAM_TOKEN_MYBOT, which wrangler.toml\'s [secrets] required does not list: add "TELEGRAM_TOKEN_MYBOT" there, or wrangler dev will not load it from .dev.vars',
    ]);
  });
});
