import { env } from "cloudflare:workers";

export type Fault = "none" | "throw" | "overloaded" | "retryable-once" | "hang";

/**
 * A test seam in front of the real Durable Object namespace: every call through a stub is
 * recorded, meets the fault, then (where the fault lets it) reaches the real object.
 */
export function faultyNamespace(fault: Fault) {
  const calls: string[] = [];
  let failedOnce = false;
  const namespace = {
    getByName(name: string) {
      const real = env.LIMITER.getByName(name) as unknown as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      return new Proxy(
        {},
        {
          get:
            (_, method: string) =>
            async (...args: unknown[]) => {
              calls.push(method);
              if (fault === "throw") throw new Error("storage exploded");
              if (fault === "overloaded") {
                throw Object.assign(new Error("Durable Object is overloaded"), {
                  overloaded: true,
                  retryable: true,
                });
              }
              if (fault === "retryable-once" && !failedOnce) {
                failedOnce = true;
                throw Object.assign(new Error("Network connection lost"), { retryable: true });
              }
              if (fault === "hang") return new Promise(() => {});
              return real[method]?.(...args);
            },
        },
      );
    },
  };
  return { namespace, calls };
}
