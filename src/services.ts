import { waitUntil } from "cloudflare:workers";
import type { Registry } from "./config/registry.ts";
import { TICKET_SECRET } from "./config/secrets.ts";
import { callObject } from "./limiter/calls.ts";
import { Limiter } from "./limiter/limiter.ts";
import type { LimiterObject } from "./limiter/object.ts";
import { type Metrics, type MetricsBindings, metricsFor } from "./metrics/service.ts";
import { rotatingSecret } from "./platform/secrets.ts";
import { ABANDONED_MARGIN_MS } from "./platform/shared-wait.ts";
import { RULES_OBJECT_NAME, RulesAdmin } from "./rules/admin.ts";
import { RulesCache } from "./rules/cache.ts";
import { compileRules } from "./rules/compile.ts";
import type { RulesObject } from "./rules/object.ts";

/** What every door stands on: made once per isolate, handed to each door. */
export interface Services {
  registry: Registry;
  limiter: Limiter;
  rules: RulesAdmin;
  /** How the Bot API gateway reaches its upstream: `fetch` unless a test puts a fake here. */
  fetchUpstream?: (request: Request) => Promise<Response>;
  /** Decision metrics; undefined when turned off. */
  metrics: Metrics | undefined;
}

/** The worker's env, or what a test puts in its place: the objects, and the secrets read. */
export interface ServiceBindings extends MetricsBindings {
  LIMITER: DurableObjectNamespace<LimiterObject>;
  RULES: DurableObjectNamespace<RulesObject>;
}

/** Keeps background work (a rules refresh, a metrics flush) alive past the response. */
function inBackground(work: Promise<unknown>): void {
  try {
    waitUntil(work);
  } catch {
    // Outside a request there is nothing to extend; the work still runs.
  }
}

/**
 * Refund tickets are signed with a key derived from API_TOKEN (read from `bindings`, the
 * worker's env), and verified with either value while it rotates.
 */
export function createServices<Bindings extends ServiceBindings>(
  registry: Registry,
  // Secrets are read by name from the same object (API_TOKEN for refund tickets).
  bindings: Bindings,
  options: {
    clock?: () => number;
    background?: (work: Promise<unknown>) => void;
    /** Waits before a scheduled metrics flush; tests pass one that returns at once. */
    wait?: (ms: number) => Promise<void>;
  } = {},
): Services {
  const budgetMs = registry.availability.budgetMs;
  const background = options.background ?? inBackground;
  const rulesStub = () => bindings.RULES.getByName(RULES_OBJECT_NAME);
  const cache = new RulesCache({
    fetch: (knownVersion) =>
      callObject(() => rulesStub().snapshot(knownVersion) as never, { budgetMs, retry: true }),
    compile: (snapshot) => compileRules(registry, snapshot),
    abandonedAfterMs: budgetMs + ABANDONED_MARGIN_MS,
    background,
    clock: options.clock,
  });
  const ticketSecrets = () => rotatingSecret(bindings, TICKET_SECRET);
  const metrics = metricsFor(registry, bindings, { ...options, background });
  const limiter = new Limiter(registry, bindings.LIMITER, {
    rules: cache,
    clock: options.clock,
    ticketSecrets,
    sink: metrics?.sink,
    background,
  });
  const rules = new RulesAdmin(registry, bindings.RULES, cache, options.clock);
  return { registry, limiter, rules, metrics };
}
