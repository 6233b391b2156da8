import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { unlistedSecrets } from "../../src/config/secrets.ts";

const registry = Registry.fromJson({
  policies: { p: { kind: "throttle", rate: 1, per: 1 } },
  telegram: {
    bots: {
      demo: { origin: "https://a.example", secretTokenSecret: "TELEGRAM_SECRET_DEMO" },
      shop: {
        origin: "https://b.example",
        secretTokenSecret: "TELEGRAM_SECRET_SHOP",
        originSecret: "SHOP_ORIGIN",
      },
    },
  },
});

describe("secrets named in policies.json against wrangler.toml's [secrets] required", () => {
  it("names each secret a second bot adds and the list leaves out, with the fix", () => {
    expect(
      unlistedSecrets(registry, [
        "API_TOKEN",
        "ADMIN_TOKEN",
        "METRICS_TOKEN",
        "TELEGRAM_SECRET_DEMO",
      ]),
    ).toEqual([
      'telegram.bots.shop.secretTokenSecret names the secret TELEGRAM_SECRET_SHOP, which wrangler.toml\'s [secrets] required does not list: add "TELEGRAM_SECRET_SHOP" there, or wrangler dev will not load it from .dev.vars',
      'telegram.bots.shop.originSecret names the secret SHOP_ORIGIN, which wrangler.toml\'s [secrets] required does not list: add "SHOP_ORIGIN" there, or wrangler dev will not load it from .dev.vars',
    ]);
  });

  it("is content when every secret is listed, or when there is no list at all", () => {
    const all = [
      "API_TOKEN",
      "ADMIN_TOKEN",
      "METRICS_TOKEN",
      "TELEGRAM_SECRET_DEMO",
      "TELEGRAM_SECRET_SHOP",
      "SHOP_ORIGIN",
    ];
    expect(unlistedSecrets(registry, all)).toEqual([]);
    expect(unlistedSecrets(registry, undefined)).toEqual([]);
  });

  it("counts the API, admin and metrics tokens too", () => {
    const bots = ["TELEGRAM_SECRET_DEMO", "TELEGRAM_SECRET_SHOP", "SHOP_ORIGIN"];
    expect(unlistedSecrets(registry, bots)).toEqual([
      'the /v1 API names the secret API_TOKEN, which wrangler.toml\'s [secrets] required does not list: add "API_TOKEN" there, or wrangler dev will not load it from .dev.vars',
      'the /v1/admin API and the dashboard names the secret ADMIN_TOKEN, which wrangler.toml\'s [secrets] required does not list: add "ADMIN_TOKEN" there, or wrangler dev will not load it from .dev.vars',
      'the /metrics endpoint names the secret METRICS_TOKEN, which wrangler.toml\'s [secrets] required does not list: add "METRICS_TOKEN" there, or wrangler dev will not load it from .dev.vars',
    ]);
  });
});
