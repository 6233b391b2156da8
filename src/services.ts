import type { Registry } from "./config/registry.ts";
import { Limiter } from "./limiter/limiter.ts";
import type { LimiterObject } from "./limiter/object.ts";

/** What every door stands on: made once per isolate, handed to each door. */
export interface Services {
  registry: Registry;
  limiter: Limiter;
  /** How the Bot API gateway reaches its upstream: `fetch` unless a test puts a fake here. */
  fetchUpstream?: (request: Request) => Promise<Response>;
}

export function createServices(
  registry: Registry,
  namespace: DurableObjectNamespace<LimiterObject>,
): Services {
  return { registry, limiter: new Limiter(registry, namespace) };
}
