// The production model: runs bench/model.bench-test.ts inside workerd, like the tests. It
// builds its own policies, so the worker's policies.json does not matter to it.
//   npx vitest run -c bench/vitest.model.config.ts
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: fileURLToPath(new URL("../wrangler.toml", import.meta.url)) },
      miniflare: {
        bindings: { BENCH_SCALE: process.env.BENCH_SCALE === "quick" ? "quick" : "full" },
      },
    }),
  ],
  test: { include: ["bench/model.bench-test.ts"], testTimeout: 600_000 },
});
