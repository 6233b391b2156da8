// The limiter's objects with their grant calls held at a gate the test opens and closes, to
// catch a leased check while its grant is on its way.
import { env } from "cloudflare:workers";

export /** The objects, with grant calls held while the test keeps the gate closed. */
function gatedGrants() {
  let gate: Promise<void> = Promise.resolve();
  let release: () => void = () => {};
  const close = () => {
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  const namespace = {
    getByName(name: string) {
      const stub = env.LIMITER.getByName(name) as unknown as {
        grant: (...args: unknown[]) => Promise<unknown>;
      };
      // RPC stubs answer any property, `apply` and `bind` too: calls go through the stub.
      return new Proxy(stub, {
        get(target, prop) {
          if (prop !== "grant") return Reflect.get(target, prop);
          return async (...args: unknown[]) => {
            await gate;
            return target.grant(...args);
          };
        },
      });
    },
  };
  return { namespace, close, open: () => release() };
}
