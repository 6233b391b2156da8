import { env } from "cloudflare:workers";
import { createApp } from "../src/app.ts";
import { Registry } from "../src/config/registry.ts";
import type { LimiterObject } from "../src/limiter/object.ts";
import { rpcMethods } from "../src/rpc/methods.ts";
import { createServices } from "../src/services.ts";
import fixture from "./fixtures/policies.json";

/** The tests' own policies (test/fixtures/policies.json), which the worker under test runs. */
export const fixtureRegistry = Registry.fromJson(fixture);

/** Objects as a test namespace: the real one, or one that records calls or fails. */
export type Namespace = DurableObjectNamespace<LimiterObject>;

/** The services over `registry`, calling the subjects' objects through `namespace`. */
export function servicesFor(
  registry: Registry = fixtureRegistry,
  namespace: object = env.LIMITER,
  options: Parameters<typeof createServices>[2] = {},
) {
  // The env too: refund tickets are signed with a key derived from its API_TOKEN.
  return createServices(registry, { ...env, LIMITER: namespace as Namespace }, options);
}

/** The worker's app over `registry`, calling the objects through `namespace`. */
export function appFor(registry: Registry = fixtureRegistry, namespace: object = env.LIMITER) {
  return createApp(servicesFor(registry, namespace));
}

/** The RPC entrypoint's methods over `registry`, calling the objects through `namespace`. */
export function rpcFor(registry: Registry = fixtureRegistry, namespace: object = env.LIMITER) {
  return rpcMethods(servicesFor(registry, namespace));
}
