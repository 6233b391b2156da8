// The policies every benchmark runs with, never the shipped policies.json, so that a user's
// own policies cannot change what the benchmarks measure or break them. The end-to-end runs
// write them into a copy of the project (scripts/e2e/sandbox.ts); the storage run serves them
// to the worker in place of policies.json (bench/vitest.storage.config.ts).

import type { FakeLimits } from "../scripts/fake-bot-api/fake.ts";

export const BENCH_APP = "bench";
/** For runs with no origin server: nothing listens on the discard port. */
export const NO_ORIGIN = "http://127.0.0.1:9/";

/** So generous that no call waits: what is measured is the gateway's own work. */
export const GENEROUS: FakeLimits = {
  perChat: { rate: 1000, per: 1, burst: 1000 },
  perGroup: { rate: 1000, per: 1 },
  perBot: { rate: 10_000, per: 1 },
};

/** The bench's gateway bot, in front of the fake Bot API at `upstream`. */
function gatewayBot(upstream: string) {
  return { gateway: { tokenSecret: "TELEGRAM_TOKEN_DEMO", upstream, limits: GENEROUS } };
}

/**
 * policies.json for the benchmarks, whose Telegram bot forwards to `originUrl`, and whose
 * gateway bot sends to the fake Bot API at `botApiUrl`.
 */
export function benchPolicies(originUrl: string, botApiUrl = NO_ORIGIN): object {
  // Generous enough that a subject rotated over 1,000 users is always admitted.
  const generous = { kind: "throttle", rate: 1_000_000, per: 1, scope: "user" };
  return {
    app: BENCH_APP,
    policies: {
      bench_user: { ...generous, description: "The allowed path: every check admitted" },
      // The example consumer's GET /hello names this policy.
      user_throttle: { ...generous, description: "The consumer's policy, generous" },
      bench_disabled: {
        ...generous,
        enabled: false,
        description: "Switched off: a check that calls no object (auth, parsing, validation)",
      },
      bench_global: {
        ...generous,
        scope: "global",
        description: "Hot key: every check on one object",
      },
      bench_flood: {
        kind: "throttle",
        rate: 1,
        per: 3600,
        scope: "user",
        description: "One an hour: a flood is denied after its first check",
      },
      storage_throttle: {
        kind: "throttle",
        rate: 5,
        per: 60,
        scope: "user",
        description: "Storage rows: 5 a minute",
      },
      storage_window: {
        kind: "window",
        limit: 100,
        window: 3600,
        scope: "user",
        description: "Storage rows: 100 in any sliding hour",
      },
    },
    telegram: {
      bots: {
        bench: {
          origin: originUrl,
          // Required by wrangler.toml, so `wrangler dev` loads it from the copy's .dev.vars.
          secretTokenSecret: "TELEGRAM_SECRET_DEMO",
          default: { policies: ["bench_user"] },
        },
        benchgw: gatewayBot(botApiUrl),
      },
    },
  };
}
