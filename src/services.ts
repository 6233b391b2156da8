import { waitUntil } from "cloudflare:workers";
import type { Registry } from "./config/registry.ts";
import { callObject } from "./limiter/calls.ts";
import { Limiter } from "./limiter/limiter.ts";
import type { LimiterObject } from "./limiter/object.ts";
import { RULES_OBJECT_NAME, RulesAdmin } from "./rules/admin.ts";
import { RulesCache } from "./rules/cache.ts";
import { compileRules } from "./rules/compile.ts";
import type { RulesObject } from "./rules/object.ts";

/** What every door stands on: made once per isolate, handed to each door. */
export interface Services {
  registry: Registry;
  limiter: Limiter;
  rules: RulesAdmin;
}

export interface ServiceBindings {
  LIMITER: DurableObjectNamespace<LimiterObject>;
  RULES: DurableObjectNamespace<RulesObject>;
}

/** Keeps background work (a rules refresh) alive past the response that started it. */
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
  options: { clock?: () => number; background?: (work: Promise<unknown>) => void } = {},
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
  const limiter = new Limiter(registry, bindings.LIMITER, { rules: cache, clock: options.clock });
  const rules = new RulesAdmin(registry, bindings.RULES, cache, options.clock);
  return { registry, limiter, rules };
}
