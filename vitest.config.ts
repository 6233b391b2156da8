import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The example consumer runs as a second Worker from its deploy bundle, which `npm test`
// builds first (the `pretest` script): auxiliary Workers cannot be built by the plugin.
const consumerBundle = fileURLToPath(new URL("./dist/consumer/index.js", import.meta.url));
if (!existsSync(consumerBundle)) {
  throw new Error(`${consumerBundle} is missing: run \`npm test\`, or \`npm run pretest\` first`);
}

// The plugin renames the Worker under test to its runner, `vitest-plugin-runner-<project
// name>` (getRunnerName in @cloudflare/vitest-plugin), and re-points only the runner's own
// bindings at it, so the consumer has to name the runner. This project has no name.
const workerUnderTest = "vitest-plugin-runner-";

export default defineConfig({
  // The worker under test, its RPC entrypoint and the consumer's binding to it all run with
  // the tests' own policies, never the user's policies.json.
  resolve: {
    alias: {
      "#policies": fileURLToPath(new URL("./test/fixtures/policies.json", import.meta.url)),
    },
  },
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Fixed here, over any .dev.vars, so tests run the same on a fresh clone.
        bindings: {
          API_TOKEN: "test-token",
          ADMIN_TOKEN: "test-admin-token",
          METRICS_TOKEN: "test-metrics-token",
          TELEGRAM_SECRET_DEMO: "test-telegram-secret",
          TELEGRAM_TOKEN_DEMO: "123456:test-bot-token",
        },
        // For tests only: lets a test send requests to the consumer.
        serviceBindings: { CONSUMER: "limiter-consumer" },
        workers: [
          {
            name: "limiter-consumer",
            modules: true,
            scriptPath: consumerBundle,
            compatibilityDate: "2026-11-01",
            serviceBindings: { LIMITER: { name: workerUnderTest, entrypoint: "RateLimiter" } },
          },
        ],
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    // vitest's default of 5 s is a timing assertion in disguise: tests that send hundreds of
    // requests take a second here and must pass on a machine several times slower, or busy.
    testTimeout: 30_000,
  },
});
