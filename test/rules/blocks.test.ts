import { describe, expect, it } from "vitest";
import { appFor } from "../app.ts";
import { message, originBot, post, testRegistry } from "../telegram/harness.ts";
import { fresh, isolate } from "./harness.ts";

describe("a block", () => {
  it("denies every check carrying the identity for as long as it lasts, then lets it through", async () => {
    const node = isolate();
    const user = fresh();
    const added = await node.adminCall("POST", "/blocks", { user, seconds: 60, reason: "spam" });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ user, reason: "spam", door: "http" });
    expect(added.json.expiresAt).toBe(node.now() + 60_000);

    // Its policies count per chat and globally, not per user: the block still applies.
    const denied = await node.check({ policies: ["per_chat", "everyone"], user, chat: "-5" });
    expect(denied.status).toBe(429);
    expect(denied.res.headers.get("Retry-After")).toBe("60");
    expect(denied.json).toMatchObject({ allowed: false, blocked: true, retryAfterMs: 60_000 });
    expect(denied.json.policies.map((p: { reason: string }) => p.reason)).toEqual([
      "blocked",
      "blocked",
    ]);
    // Someone else is not affected.
    expect((await node.check({ policies: ["per_chat"], user: fresh(), chat: "-6" })).status).toBe(
      200,
    );

    node.advance(60_001);
    expect((await node.check({ policies: ["per_chat"], user, chat: "-5" })).status).toBe(200);
  });

  it("without an expiry denies until removed, and says no time to retry", async () => {
    const node = isolate();
    const key = fresh("k");
    const { json: block } = await node.adminCall("POST", "/blocks", { key });
    const denied = await node.check({ policies: ["per_key"], key });
    expect(denied.status).toBe(429);
    expect(denied.res.headers.get("Retry-After")).toBeNull();
    expect(denied.json.retryAfterMs).toBe(0);
    expect((await node.adminCall("DELETE", `/blocks/${block.id}`)).json).toEqual({ removed: true });
    expect((await node.check({ policies: ["per_key"], key })).status).toBe(200);
    expect((await node.adminCall("DELETE", `/blocks/${block.id}`)).status).toBe(404);
  });

  it("naming policies, denies only checks that include them", async () => {
    const node = isolate();
    const user = fresh();
    await node.adminCall("POST", "/blocks", { user, policies: ["per_user"] });
    const both = await node.check({ policies: ["per_user", "per_user_b"], user });
    expect(both.status).toBe(429);
    expect(both.json.policies[0]).toMatchObject({ name: "per_user", reason: "blocked" });
    expect(both.json.policies[1].reason).toBeUndefined();
    expect((await node.check({ policies: ["per_user_b"], user })).status).toBe(200);
  });

  it("on an ip matches the client's whole address against the address or prefix blocked", async () => {
    const node = isolate();
    await node.adminCall("POST", "/blocks", { ip: "2001:db8:bad::/48" });
    await node.adminCall("POST", "/blocks", { ip: "198.51.100.0/24" });
    const status = async (ip: string) =>
      (await node.check({ policies: ["per_user"], user: fresh() }, ip)).status;
    expect(await status("2001:db8:bad:1::9")).toBe(429);
    expect(await status("2001:DB8:BAD::1")).toBe(429);
    expect(await status("2001:db8:bae::1")).toBe(200);
    expect(await status("198.51.100.77")).toBe(429);
    // An IPv4-mapped address is the IPv4 address it carries.
    expect(await status("::ffff:198.51.100.78")).toBe(429);
    expect(await status("198.51.101.1")).toBe(200);

    // A single address of a /64 that ip-scoped policies count as one: only that address.
    await node.adminCall("POST", "/blocks", { ip: "2001:db8:5:5::1" });
    expect(await status("2001:db8:5:5::1")).toBe(429);
    expect(await status("2001:db8:5:5::2")).toBe(200);
  });

  it("applies on the RPC door, and refuses leases", async () => {
    const node = isolate();
    const user = fresh();
    await node.admin.block({ user, seconds: 30 });
    const result = await node.rpc.check({ policies: ["per_user"], user });
    expect(result).toMatchObject({ allowed: false, blocked: true, retryAfterMs: 30_000 });
    expect(await node.rpc.acquire("jobs", { user })).toMatchObject({
      acquired: false,
      blocked: true,
      retryAfterMs: 30_000,
    });
    const lease = await node.lease({ policy: "jobs", user });
    expect(lease.status).toBe(429);
    expect(lease.res.headers.get("Retry-After")).toBe("30");
  });

  it("drops a blocked Telegram user's updates, without a notice", async () => {
    const { services } = isolate();
    await services.rules.block({ user: 4242 }, "http");
    const { received, binding } = originBot();
    const res = await post(appFor(testRegistry()), { ORIGIN: binding }, message(4242, "hi"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(received).toHaveLength(0);
    const other = await post(appFor(testRegistry()), { ORIGIN: binding }, message(4243, "hi"));
    expect(other.status).toBe(200);
    expect(received).toHaveLength(1);
  });
});
