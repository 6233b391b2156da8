import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { appFor } from "../app.ts";
import { TOKEN } from "../helpers.ts";

// Policies of this file's own, so the shipped policies.json can change freely.
const app = appFor(
  Registry.fromJson({
    app: "iptest",
    policies: {
      per_ip: { kind: "throttle", rate: 2, per: 3600, scope: "ip" },
      per_ip56: { kind: "throttle", rate: 2, per: 3600, scope: "ip", ipv6Prefix: 56 },
      per_user: { kind: "throttle", rate: 5, per: 60, scope: "user" },
      ip_jobs: { kind: "concurrency", limit: 1, ttl: 60, scope: "ip" },
    },
  }),
);

type Json = Record<string, unknown> & {
  allowed: boolean;
  error?: string;
  policies: { name: string; key?: string; skipped?: true; reason?: string }[];
};

async function call(path: string, body: object, clientIp?: string, method = "POST") {
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` };
  if (clientIp !== undefined) headers["CF-Connecting-IP"] = clientIp;
  const res = await app.request(path, { method, headers, body: JSON.stringify(body) }, env);
  return { status: res.status, json: (await res.json()) as Json };
}

const check = (body: object, clientIp?: string) => call("/v1/check", body, clientIp);
const keyOf = async (clientIp: string, policy = "per_ip") =>
  (await check({ policies: [policy], user: "k" }, clientIp)).json.policies[0]?.key;

describe("IPv6 and IPv4-mapped clients", () => {
  it("admits an IPv6 client of a policy that does not count by IP", async () => {
    const { status, json } = await check({ policies: ["per_user"], user: "v6" }, "2001:db8::1");
    expect(status).toBe(200);
    expect(json.allowed).toBe(true);
  });

  it("counts IPv6 clients per /64 by default: rotating addresses inside it does not help", async () => {
    const network = "2001:db8:1:2";
    expect((await check({ policies: ["per_ip"] }, `${network}::1`)).status).toBe(200);
    expect((await check({ policies: ["per_ip"] }, `${network}:aaaa::9`)).status).toBe(200);
    const rotated = await check({ policies: ["per_ip"] }, `${network}:ffff:ffff:ffff:ffff`);
    expect(rotated.status).toBe(429);
    expect(rotated.json.policies[0]?.key).toBe("iptest:per_ip:IP:2001-db8-1-2--/64");
    expect((await check({ policies: ["per_ip"] }, "2001:db8:1:3::1")).status).toBe(200);
  });

  it("counts by the prefix a policy names", async () => {
    expect(await keyOf("2001:db8:0:ff::1", "per_ip56")).toBe("iptest:per_ip56:IP:2001-db8--/56");
    expect(await keyOf("2001:db8:0:1::1", "per_ip56")).toBe("iptest:per_ip56:IP:2001-db8--/56");
  });

  it("counts every spelling of one address as one subject", async () => {
    const keys = new Set<unknown>();
    for (const ip of ["2001:db8:9::1", "2001:0db8:0009:0:0:0:0:1", "2001:DB8:9::1"]) {
      keys.add(await keyOf(ip));
    }
    expect([...keys]).toEqual(["iptest:per_ip:IP:2001-db8-9--/64"]);
  });

  it("counts an IPv4-mapped address as its IPv4 address, each one apart", async () => {
    expect(await keyOf("::ffff:203.0.113.9")).toBe("iptest:per_ip:IP:203.0.113.9");
    expect(await keyOf("::ffff:cb00:7109")).toBe("iptest:per_ip:IP:203.0.113.9");
    expect(await keyOf("::ffff:198.51.100.7")).toBe("iptest:per_ip:IP:198.51.100.7");
  });

  it("takes an address from the body too, and refuses one that is not an address", async () => {
    const ok = await check({ policies: ["per_ip"], ip: "2001:db8:77::5" });
    expect(ok.json.policies[0]?.key).toBe("iptest:per_ip:IP:2001-db8-77--/64");
    const bad = await check({ policies: ["per_ip"], ip: "not-an-ip" }, "2001:db8::1");
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('ip must be an IPv4 or IPv6 address, got "not-an-ip"');
    const number = await check({ policies: ["per_ip"], ip: 3232235777 });
    expect(number.status).toBe(400);
    expect(number.json.error).toMatch(/^ip must be an IP address as a string, got 3232235777/);
  });

  it("skips ip-scoped policies when CF-Connecting-IP is missing or unparsable", async () => {
    for (const header of [undefined, "unknown", ""]) {
      const { status, json } = await check({ policies: ["per_ip", "per_user"], user: "h" }, header);
      expect(status).toBe(200);
      expect(json.policies[0]).toMatchObject({ name: "per_ip", skipped: true, reason: "needs ip" });
      expect(json.policies[1]).toMatchObject({ name: "per_user", key: "iptest:per_user:USER:h" });
    }
  });

  it("takes, refuses and releases leases for an IPv6 network", async () => {
    const first = await call("/v1/leases", { policy: "ip_jobs" }, "2001:db8:5::1");
    expect(first.status).toBe(201);
    const second = await call("/v1/leases", { policy: "ip_jobs" }, "2001:db8:5::2");
    expect(second.status).toBe(429);
    const id = first.json.leaseId as string;
    const released = await call(`/v1/leases/${id}`, {}, undefined, "DELETE");
    expect(released.status).toBe(200);
    expect((await call("/v1/leases", { policy: "ip_jobs" }, "2001:db8:5::3")).status).toBe(201);
  });

  it("resets an IPv6 network's state", async () => {
    await check({ policies: ["per_ip"] }, "2001:db8:6::1");
    await check({ policies: ["per_ip"] }, "2001:db8:6::1");
    expect((await check({ policies: ["per_ip"] }, "2001:db8:6::1")).status).toBe(429);
    const reset = await call("/v1/reset", { policy: "per_ip" }, "2001:db8:6::2");
    expect(reset.json).toEqual({ reset: true, key: "iptest:per_ip:IP:2001-db8-6--/64" });
    expect((await check({ policies: ["per_ip"] }, "2001:db8:6::1")).status).toBe(200);
  });
});
