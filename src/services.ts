import { waitUntil } from "cloudflare:workers";
import type { Registry } from "./config/registry.ts";
import { callObject } from "./limiter/calls.ts";
import { Limiter } from "./limiter/limiter.ts";
import type { LimiterObject } from "./limiter/object.ts";
import { type Metrics, type MetricsBindings, metricsFor } from "./metrics/service.ts";
import { RULES_OBJECT_NAME, RulesAdmin } from "./rules/admin.ts";
import { RulesCache } from "./rules/cache.ts";
import { compileRules } from "./rules/compile.ts";
import type { RulesObject } from "./rules/object.ts";

/** What every door stands on: made once per isolate, handed to each door. */
export interface Services {
  registry: Registry;
  limiter: Limiter;
  rules: RulesAdmin;
  /** Decision metrics; undefined when turned off. */
  metrics: Metrics | undefined;
}

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

export function createServices(
  registry: Registry,
  bindings: ServiceBindings,
  options: {
    clock?: () => number;
    background?: (work: Promise<unknown>) => void;
    /** Waits before a scheduled metrics flush; tests pass one that returns at once. */
    wait?: (ms: number) => Promise<void>;
  } = {},
): Services {
  const budgetMs = registry.availability.budgetMs;
  const rulesStub = () => bindings.RULES.getByName(RULES_OBJECT_NAME);
  const cache = new RulesCache({
    fetch: (knownVersion) =>
      callObject(() => rulesStub().snapshot(knownVersion) as never, { budgetMs, retry: true }),
    compile: (snapshot) => compileRules(registry, snapshot),
    background: options.background ?? inBackground,
    clock: options.clock,
  });
  const background = options.background ?? inBackground;
  const metrics = metricsFor(registry, bindings, { ...options, background });
  const limiter = new Limiter(registry, bindings.LIMITER, {
    rules: cache,
    clock: options.clock,
    sink: metrics?.sink,
  });
  const rules = new RulesAdmin(registry, bindings.RULES, cache, options.clock);
  return { registry, limiter, rules, metrics };
}
