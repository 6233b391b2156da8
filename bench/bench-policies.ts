// The policies the end-to-end benchmarks run with, written into the bench's copy of the
// project: the bundled policies.json has only small limits and a bot with a remote origin.

export const BENCH_BOT_SECRET_VAR = "TELEGRAM_SECRET_BENCH";
export const BENCH_BOT_SECRET = "bench-telegram-secret";

/** policies.json for a bench copy whose Telegram bot forwards to `originUrl`. */
export function benchPolicies(originUrl: string): object {
  // Generous enough that a subject rotated over 1,000 users is always admitted.
  const generous = { kind: "throttle", rate: 1_000_000, per: 1, scope: "user" };
  return {
    $schema: "./policies.schema.json",
    app: "bench",
    policies: {
      bench_user: { ...generous, description: "The allowed path: every check admitted" },
      // The example consumer's GET /hello names this policy.
      user_throttle: { ...generous, description: "The consumer's policy, generous" },
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
    },
    telegram: {
      bots: {
        bench: {
          origin: originUrl,
          secretTokenSecret: BENCH_BOT_SECRET_VAR,
          default: { policies: ["bench_user"] },
        },
      },
    },
  };
}
