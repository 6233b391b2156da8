import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/rpc/entrypoint.ts";
import { faultyNamespace } from "../reliability/faulty.ts";

function limiterWith(fault: "overloaded" | "hang" | "throw") {
  const { namespace, calls } = faultyNamespace(fault);
  const rpc = new RateLimiter(createExecutionContext(), { ...env, LIMITER: namespace } as never);
  return { rpc, calls };
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
