// Debian's Chromium driven by playwright-core, which downloads no browser of its own.
// `.ci/run` installs the package when /usr/bin/chromium is missing.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with a fresh profile, or an error that says how to get one. */
export async function launchBrowser(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) ` +
        "or set CHROMIUM_PATH",
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "edge-limiter-chromium-"));
  // Chromium may still be writing its cache as it exits: retry the removal a little.
  const remove = () =>
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1360, height: 900 },
      timeout: 60_000,
    });
    return {
      context,
      async close() {
        await context.close();
        remove();
      },
    };
  } catch (error) {
    remove();
    throw new Error(`Chromium at ${CHROMIUM} could not start: ${(error as Error).message}`);
  }
}
