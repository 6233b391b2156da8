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

/** The worker's app over `registry`, calling the objects through `namespace`. */
export function appFor(registry: Registry = fixtureRegistry, namespace: object = env.LIMITER) {
  return createApp(createServices(registry, namespace as Namespace, env));
}

/** The RPC entrypoint's methods over `registry`, calling the objects through `namespace`. */
export function rpcFor(registry: Registry = fixtureRegistry, namespace: object = env.LIMITER) {
  return rpcMethods(createServices(registry, namespace as Namespace, env));
}
