import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { rpcAdminMethods } from "../../src/rpc/admin.ts";
import { createServices } from "../../src/services.ts";
import { rejection } from "../helpers.ts";
import { faultyNamespace } from "../reliability/faulty.ts";
import { callback, message, post } from "../telegram/harness.ts";
import { metricsIsolate, metricsRegistry, policyIn } from "./harness.ts";

const zero = {
  checks: 0,
  admitted: 0,
  denied: 0,
  shadowDenied: 0,
  blocked: 0,
  deniedFromCache: 0,
  unavailableOpen: 0,
  unavailableClosed: 0,
  leasesTaken: 0,
  leasesRefused: 0,
};

describe("counting decisions", () => {
  it("counts admitted, denied, from the cache and shadow would-denies per policy", async () => {
    const node = metricsIsolate(metricsRegistry());
    for (let i = 0; i < 10; i++) await node.check({ policies: ["enforced"], user: "alice" });
    for (let i = 0; i < 6; i++) await node.check({ policies: ["shadowed"], user: "bob" });
    const report = await node.report();
    const enforced = policyIn(report, "enforced");
    // The 8th denial reached the object; the 9th and 10th came from the isolate's memory.
    expect(enforced.counts).toEqual({
      ...zero,
      checks: 10,
      admitted: 7,
      denied: 3,
      deniedFromCache: 2,
    });
    expect(enforced.denialRate).toBeCloseTo(0.3);
    expect(enforced.mode).toBe("enforce");
    const shadowed = policyIn(report, "shadowed");
    expect(shadowed.counts).toEqual({ ...zero, checks: 6, admitted: 6, shadowDenied: 4 });
    expect(shadowed.shadowDenialRate).toBeCloseTo(4 / 6);
    expect(shadowed.doors).toEqual({ http: shadowed.counts });
    // Every policy is listed, those without decisions too.
    expect(policyIn(report, "per_ip").counts).toEqual(zero);
  });

  it("names the top limited subjects per policy, with the ids a rule takes", async () => {
    const node = metricsIsolate(metricsRegistry());
    for (const [user, times] of [
      ["spammer", 12],
      ["chatty", 9],
      ["calm", 3],
    ] as const) {
      for (let i = 0; i < times; i++) await node.check({ policies: ["enforced"], user });
    }
    for (let i = 0; i < 3; i++) {
      await node.check({ policies: ["per_ip"], ip: "2001:db8:1:2::7" });
      await node.check({ policies: ["per_group"], user: "u1", chat: "-1001" });
    }
    const report = await node.report();
    expect(policyIn(report, "enforced").topSubjects).toEqual({
      limited: 7,
      maxError: 0,
      subjects: [
        { id: "USER:spammer", subject: { user: "spammer" }, count: 5 },
        { id: "USER:chatty", subject: { user: "chatty" }, count: 2 },
      ],
    });
    expect(policyIn(report, "per_ip").topSubjects.subjects).toEqual([
      { id: "IP:2001-db8-1-2--/64", subject: { ip: "2001:db8:1:2::/64" }, count: 2 },
    ]);
    expect(policyIn(report, "per_group").topSubjects.subjects).toEqual([
      { id: "GROUP:u1:-1001", subject: { user: "u1", chat: "-1001" }, count: 2 },
    ]);
  });

  it("counts each door apart, and Telegram per bot and rule", async () => {
    const node = metricsIsolate(metricsRegistry());
    await node.check({ policies: ["enforced"], user: "d" });
    await node.rpc.check({ policies: ["enforced"], user: "d" });
    await node.rpc.check({ policies: ["enforced"], user: "d" });
    const bindings = { ORIGIN: { fetch: async () => new Response("ok") } };
    const bot = { bot: "metricsbot" };
    expect((await post(node.app, bindings, message(501, "hello"), bot)).status).toBe(200);
    expect((await post(node.app, bindings, callback(501, "x"), bot)).status).toBe(200);
    // Telegram re-sends an update it got no answer for: counted once.
    const update = message(502, "again");
    await post(node.app, bindings, update, bot);
    await post(node.app, bindings, update, bot);
    const report = await node.report();
    const doors = policyIn(report, "enforced").doors;
    expect(doors.http?.checks).toBe(1);
    expect(doors.rpc?.checks).toBe(2);
    expect(doors.telegram?.checks).toBe(3);
    expect(report.telegram.metricsbot?.rules.default?.enforced?.checks).toBe(2);
    expect(report.telegram.metricsbot?.rules.default?.shadowed?.checks).toBe(2);
    expect(report.telegram.metricsbot?.rules.buttons?.enforced?.checks).toBe(1);
  });

  it("counts blocks, leases, and checks the limiter could not decide", async () => {
    const registry = metricsRegistry();
    const node = metricsIsolate(registry);
    await node.services.rules.block({ user: "banned" }, "http");
    expect((await node.check({ policies: ["enforced"], user: "banned" })).status).toBe(429);
    const lease = { method: "POST", token: "test-token" };
    const take = JSON.stringify({ policy: "jobs", user: "worker" });
    expect((await node.request("/v1/leases", { ...lease, body: take })).status).toBe(201);
    expect((await node.request("/v1/leases", { ...lease, body: take })).status).toBe(429);
    const banned = JSON.stringify({ policy: "jobs", user: "banned" });
    expect((await node.request("/v1/leases", { ...lease, body: banned })).status).toBe(429);

    // One isolate whose objects fail: HTTP fails closed, the bot fails open.
    const { namespace } = faultyNamespace("throw");
    const down = metricsIsolate(registry, { limiter: namespace });
    expect((await down.check({ policies: ["enforced"], user: "x" })).status).toBe(503);
    const bindings = { ORIGIN: { fetch: async () => new Response("ok") } };
    const bot = { bot: "metricsbot" };
    expect((await post(down.app, bindings, callback(7, "y"), bot)).status).toBe(200);
    await down.settled();

    const report = await node.report();
    expect(policyIn(report, "enforced").counts).toMatchObject({
      checks: 3,
      admitted: 1,
      blocked: 1,
      unavailableOpen: 1,
      unavailableClosed: 1,
    });
    expect(policyIn(report, "enforced").topSubjects.subjects).toEqual([
      { id: "USER:banned", subject: { user: "banned" }, count: 1 },
    ]);
    expect(policyIn(report, "jobs").counts).toMatchObject({
      leasesTaken: 1,
      leasesRefused: 2,
      blocked: 1,
    });
  });

  it("counts per minute, and a window of minutes holds only its own", async () => {
    const registry = metricsRegistry();
    const minuteStart = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
    const node = metricsIsolate(registry, { startMs: Math.floor(Date.now() / 60_000) * 60_000 });
    const first = node.now();
    await node.check({ policies: ["enforced"], user: "m" });
    node.advance(2 * 60_000);
    const second = node.now();
    await node.check({ policies: ["enforced"], user: "m" });
    await node.check({ policies: ["enforced"], user: "m" });
    const hour = policyIn(await node.report(60), "enforced");
    expect(hour.perMinute.map((m) => [m.minute, m.checks])).toEqual([
      [minuteStart(first), 1],
      [minuteStart(second), 2],
    ]);
    expect(policyIn(await node.report(1), "enforced").counts.checks).toBe(2);
  });

  it("refuses a window it does not keep, with a 400 that says why", async () => {
    const node = metricsIsolate(metricsRegistry());
    for (const minutes of ["0", "1441", "abc", "1.5", "-1", ""]) {
      const res = await node.request(`/v1/admin/metrics?minutes=${minutes}`, {
        token: "test-admin-token",
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "minutes must be a whole number from 1 to 1440" });
    }
    const day = await node.request("/v1/admin/metrics?minutes=1440", { token: "test-admin-token" });
    expect(day.status).toBe(200);
    expect(((await day.json()) as { minutes: number }).minutes).toBe(1440);
  });

  it("answers the same report over RPC, on the admin entrypoint", async () => {
    const node = metricsIsolate(metricsRegistry());
    for (let i = 0; i < 9; i++) await node.check({ policies: ["enforced"], user: "carol" });
    const viaRpc = await rpcAdminMethods(node.services).metrics(30);
    expect(viaRpc.minutes).toBe(30);
    expect(policyIn(viaRpc as never, "enforced").counts).toMatchObject({ checks: 9, denied: 2 });
    // Through the runtime's RPC, as a bound Worker calls it.
    const admin = exports.RateLimiterAdmin;
    expect((await admin.metrics()).minutes).toBe(60);
    for (const minutes of [0, 1441, 1.5, "soon"]) {
      const error = await rejection(admin.metrics(minutes as number));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe("minutes must be a whole number from 1 to 1440");
    }
  });

  it("is under the admin token only", async () => {
    const node = metricsIsolate(metricsRegistry());
    for (const token of [undefined, "test-token", "test-metrics-token", "nope"]) {
      expect((await node.request("/v1/admin/metrics", { token })).status).toBe(401);
    }
  });

  it("writes a point per policy decision to a bound Analytics Engine dataset", async () => {
    const points: unknown[] = [];
    const dataset = { writeDataPoint: (point: unknown) => points.push(point) };
    const node = metricsIsolate(metricsRegistry(), { dataset });
    for (let i = 0; i < 9; i++) await node.check({ policies: ["enforced"], user: "ae" });
    await node.rpc.check({ policies: ["shadowed", "enforced"], user: "ae2" });
    expect(points.slice(6)).toEqual([
      { indexes: ["enforced"], blobs: ["http", "", "", "admitted"], doubles: [0] },
      { indexes: ["enforced"], blobs: ["http", "", "", "denied"], doubles: [0] },
      { indexes: ["enforced"], blobs: ["http", "", "", "denied"], doubles: [1] },
      { indexes: ["shadowed"], blobs: ["rpc", "", "", "admitted"], doubles: [0] },
      { indexes: ["enforced"], blobs: ["rpc", "", "", "admitted"], doubles: [0] },
    ]);
  });

  it("can be turned off: decisions go on, the metrics routes answer 404", async () => {
    const registry = metricsRegistry();
    const services = createServices(registry, {
      LIMITER: env.LIMITER,
      RULES: env.RULES,
      METRICS: env.METRICS,
      METRICS_ENABLED: "false",
    });
    expect(services.metrics).toBeUndefined();
    const app = createApp(services);
    const check = await app.request(
      "/v1/check",
      {
        method: "POST",
        headers: { Authorization: "Bearer test-token" },
        body: JSON.stringify({ policies: ["enforced"], user: "off" }),
      },
      env,
    );
    expect(check.status).toBe(200);
    const res = await app.request(
      "/v1/admin/metrics",
      { headers: { Authorization: "Bearer test-admin-token" } },
      env,
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "metrics are turned off (METRICS_ENABLED=false)" });
    const off = await rejection(rpcAdminMethods(services).metrics());
    expect(off).toBeInstanceOf(TypeError);
    expect(off.message).toBe("metrics are turned off (METRICS_ENABLED=false)");
  });
});
