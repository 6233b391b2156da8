import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RULES_OBJECT_NAME } from "../../src/rules/admin.ts";
import { MAX_PREFIX_RULES } from "../../src/rules/object.ts";
import { TOKEN } from "../helpers.ts";
import { ADMIN, fresh, isolate } from "./harness.ts";

describe("the admin API", () => {
  it("takes the admin token only: an API token, a wrong or a missing one get 401", async () => {
    const node = isolate();
    expect((await node.adminCall("GET", "/blocks", undefined, TOKEN)).status).toBe(401);
    expect((await node.adminCall("GET", "/blocks", undefined, "nope")).status).toBe(401);
    expect((await node.adminCall("GET", "/blocks")).status).toBe(200);
    // And the admin token is no API token.
    const res = await node.request(
      "POST",
      "/v1/check",
      { policies: ["per_user"], user: "a" },
      ADMIN,
    );
    expect(res.status).toBe(401);
  });

  it.each([
    [{ user: "a", chat: "b" }, "a block names exactly one of user, chat, ip or key"],
    [{}, "a block names exactly one of user, chat, ip or key"],
    [{ ip: "10.0.0.0/33" }, 'ip must be an IPv4 or IPv6 address or CIDR prefix, got "10.0.0.0/33"'],
    [{ ip: "not-an-ip" }, 'ip must be an IPv4 or IPv6 address or CIDR prefix, got "not-an-ip"'],
    [{ user: "a", seconds: -5 }, "seconds must be a positive integer, got -5"],
    [{ user: "a", policies: ["per_usr"] }, 'unknown policy "per_usr". Did you mean: per_user?'],
    [{ user: "a", reasn: "x" }, "reasn is not a known field. Did you mean: reason?"],
  ])("refuses a bad block with a 400 that names the field: %j", async (body, error) => {
    const res = await isolate().adminCall("POST", "/blocks", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(error);
  });

  it.each([
    ["per_usr", { limit: "unlimited" }, 'unknown policy "per_usr". Did you mean: per_user?'],
    [
      "per_user",
      { limit: { rate: 5, window: 60 } },
      /^limit\.window is not a field of a throttle limit/,
    ],
    ["per_user", { limit: { rate: 0, per: 60 } }, "limit.rate must be a positive integer, got 0"],
    ["per_key", { limit: { limit: 5 } }, "limit.window is required"],
    ["per_user", { limit: 5 }, /^limit must be "unlimited" or an object/],
    [
      "per_user",
      { chat: "-1", limit: "unlimited" },
      /has scope user: an override names user, or nothing/,
    ],
    ["per_group", { user: "1", limit: "unlimited" }, /names chat and user, or nothing/],
    ["everyone", { user: "1", limit: "unlimited" }, /has scope global: an override names nothing/],
    [
      "per_ip",
      { ip: "1.2.3.4/99", limit: "unlimited" },
      /^ip must be an IPv4 or IPv6 address or CIDR/,
    ],
    [
      "per_user",
      { user: "u", limit: "unlimited", seconds: 0 },
      "seconds must be a positive integer, got 0",
    ],
  ])(
    "refuses a bad override of %s with a 400 that names the field",
    async (policy, body, error) => {
      const res = await isolate().adminCall("PUT", `/overrides/${policy}`, body);
      expect(res.status).toBe(400);
      if (typeof error === "string") expect(res.json.error).toBe(error);
      else expect(res.json.error).toMatch(error);
    },
  );

  it("takes an IPv6 override on the network an ip-scoped policy counts, or a wider one", async () => {
    const node = isolate();
    for (const ip of ["2001:db8:7:7::/64", "2001:db8:7::/48"]) {
      const put = await node.adminCall("PUT", "/overrides/per_ip", { ip, limit: "unlimited" });
      expect(put.status).toBe(200);
      // Prefix rules are bounded: leave room for the test of that bound.
      expect(await node.admin.removeOverride(put.json.id)).toBe(true);
    }
  });

  it("records every change with its time, door and reason, newest first", async () => {
    const node = isolate();
    const user = fresh();
    const { json: block } = await node.adminCall("POST", "/blocks", { user, reason: "flood" });
    await node.admin.unblock(block.id);
    const { json } = await node.adminCall("GET", "/audit?limit=2");
    expect(json.entries).toMatchObject([
      { action: "unblock", door: "rpc", rule: { id: block.id, user } },
      { action: "block", door: "http", reason: "flood", rule: { id: block.id, user } },
    ]);
    expect(json.entries[1].at).toBe(block.createdAt);
    expect((await node.adminCall("GET", "/audit?limit=0")).status).toBe(400);
  });

  it("bounds the rules naming an ip prefix, with a clear 409 past it", async () => {
    const node = isolate();
    const added = [];
    for (let i = 0; i < MAX_PREFIX_RULES; i++) {
      added.push(await node.admin.block({ ip: `10.${i}.0.0/16`, seconds: 600 }));
    }
    const over = await node.adminCall("POST", "/blocks", { ip: "11.0.0.0/8" });
    expect(over.status).toBe(409);
    expect(over.json.error).toBe(
      `at most ${MAX_PREFIX_RULES} rules can name an ip prefix; remove some first`,
    );
    for (const rule of added) await node.admin.unblock(rule.id);
    expect((await node.adminCall("POST", "/blocks", { ip: "11.0.0.0/8", seconds: 1 })).status).toBe(
      201,
    );
  });

  it("keeps every rule when the rules object restarts", async () => {
    const node = isolate();
    const user = fresh();
    await node.admin.block({ user, reason: "kept" });
    await node.admin.setOverride("per_key", { key: user, limit: { limit: 9, window: 60 } });
    await evictDurableObject(env.RULES.getByName(RULES_OBJECT_NAME));
    const after = isolate();
    expect((await after.admin.blocks()).filter((b) => b.user === user)).toHaveLength(1);
    expect((await after.admin.overrides()).filter((o) => o.key === user)).toHaveLength(1);
    expect((await after.check({ policies: ["per_user"], user })).status).toBe(429);
  });
});
