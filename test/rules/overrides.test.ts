import { describe, expect, it } from "vitest";
import { fresh, isolate } from "./harness.ts";

const statuses = async (run: () => Promise<{ status: number }>, times: number) => {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) seen.push((await run()).status);
  return seen;
};

describe("an override", () => {
  it("gives one user a higher limit while others keep the bundled one", async () => {
    const node = isolate();
    const [vip, other] = [fresh(), fresh()];
    const put = await node.adminCall("PUT", "/overrides/per_user", {
      user: vip,
      limit: { rate: 5, per: 3600 },
      reason: "paying customer",
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      policy: "per_user",
      user: vip,
      limit: { rate: 5, per: 3600 },
    });
    expect(await statuses(() => node.check({ policies: ["per_user"], user: vip }), 6)).toEqual([
      200, 200, 200, 200, 200, 429,
    ]);
    const last = await node.check({ policies: ["per_user"], user: vip });
    expect(last.json.policies[0]).toMatchObject({ limit: 5, override: put.json.id });
    expect(last.res.headers.get("RateLimit-Policy")).toBe('"per_user";q=5;w=3600');
    expect(await statuses(() => node.check({ policies: ["per_user"], user: other }), 3)).toEqual([
      200, 200, 429,
    ]);
  });

  it("replaces the override for the same policy and identity, keeping its id", async () => {
    const node = isolate();
    const user = fresh();
    const first = await node.adminCall("PUT", "/overrides/per_user", {
      user,
      limit: { rate: 9, per: 60 },
    });
    const second = await node.adminCall("PUT", "/overrides/per_user", { user, limit: "unlimited" });
    expect(second.json.id).toBe(first.json.id);
    const listed = (await node.adminCall("GET", "/overrides")).json.overrides as { user: string }[];
    expect(listed.filter((o) => o.user === user)).toHaveLength(1);
  });

  it("changes a policy for everyone at runtime, and exact beats prefix beats policy-wide", async () => {
    const node = isolate();
    await node.adminCall("PUT", "/overrides/per_ip", { limit: { rate: 4, per: 3600 } });
    await node.adminCall("PUT", "/overrides/per_ip", {
      ip: "203.0.113.0/24",
      limit: { rate: 3, per: 3600 },
    });
    await node.adminCall("PUT", "/overrides/per_ip", {
      ip: "203.0.113.7",
      limit: { rate: 1, per: 3600 },
    });
    const limitFor = async (ip: string) =>
      (await node.check({ policies: ["per_ip"] }, ip)).json.policies[0].limit;
    expect(await limitFor("203.0.113.7")).toBe(1);
    expect(await limitFor("203.0.113.8")).toBe(3);
    expect(await limitFor("192.0.2.1")).toBe(4);
    // A longer prefix beats a shorter one.
    await node.adminCall("PUT", "/overrides/per_ip", {
      ip: "203.0.113.128/25",
      limit: { rate: 2, per: 3600 },
    });
    expect(await limitFor("203.0.113.200")).toBe(2);
  });

  it("overrides a user-in-chat policy for one pair", async () => {
    const node = isolate();
    const [user, chat] = [fresh(), `-${Date.now()}`];
    await node.adminCall("PUT", "/overrides/per_group", {
      user,
      chat,
      limit: { rate: 3, per: 60 },
    });
    const inChat = await node.check({ policies: ["per_group"], user, chat });
    expect(inChat.json.policies[0].limit).toBe(3);
    const elsewhere = await node.check({ policies: ["per_group"], user, chat: "-1" });
    expect(elsewhere.json.policies[0].limit).toBe(2);
  });

  it("unlimited: admits without counting", async () => {
    const node = isolate();
    const user = fresh();
    await node.adminCall("PUT", "/overrides/per_user", { user, limit: "unlimited" });
    expect(await statuses(() => node.check({ policies: ["per_user"], user }), 5)).toEqual([
      200, 200, 200, 200, 200,
    ]);
    const result = await node.check({ policies: ["per_user"], user });
    expect(result.json.policies[0]).toMatchObject({ unlimited: true, allowed: true });
    expect(result.json.policies[0].key).toBeUndefined();
  });

  it("validates a check against the limit in force: a raised capacity admits a larger cost", async () => {
    const node = isolate();
    const user = fresh();
    const before = await node.check({ policies: ["per_user"], user, cost: 5 });
    expect(before.status).toBe(400);
    expect(before.json.error).toMatch(/cost 5 exceeds the capacity 2/);
    await node.adminCall("PUT", "/overrides/per_user", { user, limit: { rate: 10, per: 60 } });
    expect((await node.check({ policies: ["per_user"], user, cost: 5 })).status).toBe(200);
  });

  it("expires on its own: the bundled limit applies again at its time", async () => {
    const node = isolate();
    const user = fresh();
    await node.adminCall("PUT", "/overrides/per_user", { user, limit: "unlimited", seconds: 10 });
    expect(await statuses(() => node.check({ policies: ["per_user"], user }), 3)).toEqual([
      200, 200, 200,
    ]);
    node.advance(10_001);
    expect(await statuses(() => node.check({ policies: ["per_user"], user }), 3)).toEqual([
      200, 200, 429,
    ]);
  });

  it("lets a loosened limit through a denial this isolate remembered", async () => {
    const node = isolate();
    const user = fresh();
    await statuses(() => node.check({ policies: ["per_user"], user }), 2);
    // Denied, and remembered by the isolate's cache of denials.
    expect((await node.check({ policies: ["per_user"], user })).status).toBe(429);
    expect((await node.check({ policies: ["per_user"], user })).status).toBe(429);
    await node.adminCall("PUT", "/overrides/per_user", { user, limit: { rate: 4, per: 3600 } });
    expect((await node.check({ policies: ["per_user"], user })).status).toBe(200);
  });

  it("applies to leases: a raised concurrency limit frees a slot", async () => {
    const node = isolate();
    const user = fresh();
    expect((await node.rpc.acquire("jobs", { user })).acquired).toBe(true);
    expect((await node.rpc.acquire("jobs", { user })).acquired).toBe(false);
    await node.admin.setOverride("jobs", { user, limit: { limit: 2, ttl: 600 } });
    expect((await node.rpc.acquire("jobs", { user })).acquired).toBe(true);
  });
});
