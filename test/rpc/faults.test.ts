import { describe, expect, it } from "vitest";
import { rpcFor } from "../app.ts";
import { faultyNamespace } from "../reliability/faulty.ts";

function limiterWith(fault: "overloaded" | "hang" | "throw") {
  const { namespace, calls } = faultyNamespace(fault);
  return { rpc: rpcFor(undefined, namespace), calls };
}

describe("faults on the RPC door", () => {
  it.each(["overloaded", "throw", "hang"] as const)(
    "fails closed on %s: a denial, marked unavailable",
    async (fault) => {
      const { rpc, calls } = limiterWith(fault);
      const result = await rpc.check({ policies: ["user_throttle"], user: "rpc-fault" });
      expect(result).toMatchObject({ allowed: false, unavailable: true, retryAfterMs: 1000 });
      expect(calls).toEqual(["check"]);
    },
  );

  it("throws a plain, clear Error for leases while the limiter is down", async () => {
    const { rpc } = limiterWith("throw");
    await expect(rpc.acquire("jobs_concurrency", { user: "u" })).rejects.toThrow(
      /^limiter unavailable; retry later$/,
    );
  });
});
