import { describe, expect, it } from "vitest";
import { fresh, isolate } from "./harness.ts";

describe("peek", () => {
  it("answers what a check would decide, with its headers, consuming nothing", async () => {
    const node = isolate();
    const user = fresh();
    for (let i = 0; i < 5; i++) {
      const peeked = await node.peek({ policies: ["per_user"], user });
      expect(peeked.status).toBe(200);
      expect(peeked.json).toMatchObject({ allowed: true, policies: [{ remaining: 1 }] });
      expect(peeked.res.headers.get("RateLimit")).toBe('"per_user";r=1;t=1800');
    }
    // Nothing was consumed: the two admissions a fresh subject has are both still there.
    expect((await node.check({ policies: ["per_user"], user })).status).toBe(200);
    expect((await node.check({ policies: ["per_user"], user })).status).toBe(200);
    const denied = await node.peek({ policies: ["per_user"], user });
    expect(denied.status).toBe(200);
    expect(denied.json).toMatchObject({ allowed: false, policies: [{ remaining: 0 }] });
    expect(denied.res.headers.get("Retry-After")).toBe("1800");
  });

  it("says a blocked identity would be blocked, and works over RPC", async () => {
    const node = isolate();
    const user = fresh();
    await node.admin.block({ user, seconds: 90 });
    expect(await node.rpc.peek({ policies: ["per_user"], user })).toMatchObject({
      allowed: false,
      blocked: true,
      retryAfterMs: 90_000,
    });
  });

  it("is all or nothing across objects, as a check is", async () => {
    const node = isolate();
    const [user, chat] = [fresh(), `-${Date.now()}`];
    await node.check({ policies: ["per_chat"], chat, user: fresh() });
    await node.check({ policies: ["per_chat"], chat, user: fresh() });
    const peeked = await node.peek({ policies: ["per_user", "per_chat"], user, chat });
    expect(peeked.json.allowed).toBe(false);
    // per_user would have been refunded: reported as it stands.
    expect(peeked.json.policies[0]).toMatchObject({
      name: "per_user",
      allowed: true,
      remaining: 2,
    });
  });
});
