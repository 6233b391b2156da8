import type { Registry } from "./registry.ts";

/** Secrets the worker reads whatever policies.json says. */
export const BUILT_IN_SECRETS = ["API_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN"] as const;

const BUILT_IN_USE: Record<(typeof BUILT_IN_SECRETS)[number], string> = {
  API_TOKEN: "the /v1 API",
  ADMIN_TOKEN: "the /v1/admin API and the dashboard",
  METRICS_TOKEN: "the /metrics endpoint",
};

/** Refund tickets are signed with a key derived from it (see limiter/tickets.ts). */
export const TICKET_SECRET = "API_TOKEN";

/** Every secret the worker reads, each with where it is named. */
export function secretsNamed(registry: Registry): { name: string; namedAt: string }[] {
  const named: { name: string; namedAt: string }[] = BUILT_IN_SECRETS.map((name) => ({
    name,
    namedAt: BUILT_IN_USE[name],
  }));
  for (const [botName, bot] of registry.bots()) {
    const at = `telegram.bots.${botName}`;
    if (bot.secretTokenSecret !== undefined) {
      named.push({ name: bot.secretTokenSecret, namedAt: `${at}.secretTokenSecret` });
    }
    if (bot.originSecret !== undefined) {
      named.push({ name: bot.originSecret, namedAt: `${at}.originSecret` });
    }
    if (bot.gateway !== undefined) {
      named.push({ name: bot.gateway.tokenSecret, namedAt: `${at}.gateway.tokenSecret` });
    }
  }
  return named;
}

/**
 * wrangler.toml's `[secrets] required` (`[env.NAME.secrets] required` for an environment) is
 * all `wrangler dev` loads from .dev.vars, and all `wrangler deploy` checks is set. A secret policies.json names but that list leaves out
 * would be silently absent locally: one line per such secret, saying what to add.
 */
export function unlistedSecrets(
  registry: Registry,
  required: readonly string[] | undefined,
  section = "[secrets] required",
) {
  if (required === undefined) return [];
  const listed = new Set(required);
  const seen = new Set<string>();
  return secretsNamed(registry)
    .filter(({ name }) => !listed.has(name) && !seen.has(name) && seen.add(name))
    .map(
      ({ name, namedAt }) =>
        `${namedAt} names the secret ${name}, which wrangler.toml's ${section} does not ` +
        `list: add "${name}" there, or wrangler dev will not load it from .dev.vars`,
    );
}
