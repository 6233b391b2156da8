import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Tests never read .dev.vars: the token is fixed here so they run on a fresh clone.
        bindings: { API_TOKEN: "test-token" },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
  },
});
