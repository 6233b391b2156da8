// The storage benchmark: runs bench/storage.bench-test.ts inside workerd, like the tests,
// with the limiter alone (the root config's consumer Worker is not needed here).
//   npx vitest run -c bench/vitest.storage.config.ts
// With BENCH_STORAGE_OUT set, the numbers the test prints are also written there as JSON.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { STORAGE_MARKER } from "./storage-result.ts";

const out = process.env.BENCH_STORAGE_OUT;

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: fileURLToPath(new URL("../wrangler.toml", import.meta.url)) },
      miniflare: {
        bindings: {
          API_TOKEN: "test-token",
          TELEGRAM_SECRET_DEMO: "test-telegram-secret",
          BENCH_SCALE: process.env.BENCH_SCALE === "quick" ? "quick" : "full",
        },
      },
    }),
  ],
  test: {
    include: ["bench/storage.bench-test.ts"],
    testTimeout: 120_000,
    // The test runs in workerd, which cannot write to this machine's files: its numbers
    // come out as a console line, caught here in Node.
    onConsoleLog(log) {
      if (!log.startsWith(STORAGE_MARKER)) return;
      if (out !== undefined) writeFileSync(out, log.slice(STORAGE_MARKER.length));
    },
  },
});
