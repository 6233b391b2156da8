import type { Registry } from "./config/registry.ts";
import { TICKET_SECRET } from "./config/secrets.ts";
import { Limiter } from "./limiter/limiter.ts";
import type { LimiterObject } from "./limiter/object.ts";
import { rotatingSecret } from "./platform/secrets.ts";

/** What every door stands on: made once per isolate, handed to each door. */
export interface Services {
  registry: Registry;
  limiter: Limiter;
}

/**
 * `secrets` is where the worker's secrets are read (its env): refund tickets are signed with a
 * key derived from API_TOKEN, and verified with either value while it rotates.
 */
export function createServices(
  registry: Registry,
  namespace: DurableObjectNamespace<LimiterObject>,
  secrets: object = {},
): Services {
  const ticketSecrets = () => rotatingSecret(secrets, TICKET_SECRET);
  return { registry, limiter: new Limiter(registry, namespace, { ticketSecrets }) };
}
