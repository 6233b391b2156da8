// The storage benchmark: runs bench/storage.bench-test.ts inside workerd, like the tests,
// with the limiter alone and the bench policies in place of the shipped policies.json.
//   npx vitest run -c bench/vitest.storage.config.ts
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { benchPolicies, NO_ORIGIN } from "./policies.ts";
import { withStoragePolicies } from "./policies-storage.ts";

const shippedPolicies = fileURLToPath(new URL("../policies.json", import.meta.url));

export default defineConfig({
  plugins: [
    {
      // src/config/bundled.ts imports policies.json; the worker gets these policies instead.
      name: "bench-policies",
      enforce: "pre",
      load: (id) =>
        id === shippedPolicies
          ? JSON.stringify(withStoragePolicies(benchPolicies(NO_ORIGIN)))
          : null,
    },
    cloudflareTest({
      wrangler: { configPath: fileURLToPath(new URL("../wrangler.toml", import.meta.url)) },
      miniflare: {
        bindings: {
          API_TOKEN: "test-token",
          ADMIN_TOKEN: "test-admin-token",
          TELEGRAM_SECRET_DEMO: "test-telegram-secret",
          BENCH_SCALE: process.env.BENCH_SCALE === "quick" ? "quick" : "full",
        },
      },
    }),
  ],
  test: { include: ["bench/storage.bench-test.ts"], testTimeout: 300_000 },
});
