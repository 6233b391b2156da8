// Isolates of one deployment for tests of rule changes: each with its own services and a
// clock the test sets, over the shared objects.
import { env } from "cloudflare:workers";
import { Registry } from "../../src/config/registry.ts";
import { rpcAdminMethods } from "../../src/rpc/admin.ts";
import { createServices } from "../../src/services.ts";
import { setObjectClock } from "../objects.ts";

/** One isolate over `registry`, at a clock the test moves, objects' clocks pinned to it. */
export function node(json: object, startMs: number, namespace: object = env.LIMITER) {
  const registry = Registry.fromJson(json);
  let nowMs = startMs;
  const background: Promise<unknown>[] = [];
  const services = createServices(
    registry,
    { LIMITER: namespace as never, RULES: env.RULES },
    { clock: () => nowMs, background: (w) => background.push(w) },
  );
  return {
    registry,
    services,
    limiter: services.limiter,
    admin: rpcAdminMethods(services),
    now: () => nowMs,
    set: (ms: number) => {
      nowMs = ms;
    },
    settled: () => Promise.all(background.splice(0)),
    /** Pins the clock of the object holding `subjectKey` to this isolate's clock. */
    pin: (subjectKey: string) => setObjectClock(env.LIMITER.getByName(subjectKey), () => nowMs),
  };
}

let n = 0;
export const uid = (p = "r") => `${p}${Date.now().toString(36)}x${n++}`;
