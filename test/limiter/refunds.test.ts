import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Limiter } from "../../src/limiter/limiter.ts";
import { REFUND_TICKET_TTL_MS } from "../../src/limiter/tickets.ts";
import { createServices } from "../../src/services.ts";
import { fixtureRegistry as registry } from "../app.ts";
import { api, check, rejection } from "../helpers.ts";
import { countRowsWritten, type RowsWritten, setObjectClock } from "../objects.ts";

const stub = (subject: string) => env.LIMITER.getByName(subject);

async function ticketOf(body: Record<string, unknown>): Promise<string> {
  const { res, json } = await check(body);
  expect(res.status).toBe(200);
  expect(json.refundTicket).toEqual(expect.any(String));
  return json.refundTicket as string;
}

const refund = (ticket: unknown) => api("/v1/refund", { body: { ticket } });

async function remaining(body: Record<string, unknown>): Promise<(number | undefined)[]> {
  const { json } = await check(body);
  return json.policies.map((p) => p.remaining as number | undefined);
}

describe("POST /v1/refund", () => {
  it("gives back what the check consumed, once: a second refund is 409", async () => {
    const body = { policies: ["login_ip"], ip: "198.51.100.20" };
    const ticket = await ticketOf(body);
    const res = await refund(ticket);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ refunded: true });
    const again = await refund(ticket);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: "this ticket has already been refunded" });
    // One check consumed and was refunded: the next sees the whole quota but its own token.
    expect(await remaining(body)).toEqual([4]);
  });

  it("refunds every policy and object of a multi-policy check, and nothing else", async () => {
    const body = {
      policies: ["user_throttle", "chat_throttle", "hourly_window", "user_debounce"],
      user: "multi",
      chat: "-100777",
      fingerprint: "same words",
    };
    // Another check of the same user stays counted.
    await check({ policies: ["user_throttle"], user: "multi" });
    const ticket = await ticketOf(body);
    expect((await refund(ticket)).status).toBe(200);
    // The debounce forgot the content (so the same words pass), the window its entry, and
    // the two buckets (user's and chat's objects) their tokens: each as after the other check.
    expect(await remaining(body)).toEqual([3, 19, 99, 0]);
  });

  it("never gives back more than the bucket would hold had the check not been made", async () => {
    let nowMs = Date.now();
    await setObjectClock(stub("test:USER:late-refund"), () => nowMs);
    const body = { policies: ["user_throttle"], user: "late-refund" };
    const ticket = await ticketOf(body);
    // A minute on, refill has made the token good: the bucket is full as if never touched.
    nowMs += 60_000;
    for (let i = 0; i < 5; i++) await check(body);
    expect((await refund(ticket)).status).toBe(200);
    const sixth = await check(body);
    expect(sixth.res.status).toBe(429);
  });

  it("answers 404 for a ticket unknown, altered, or signed by another deployment", async () => {
    const ticket = await ticketOf({ policies: ["user_throttle"], user: "forger" });
    const [payload, signature] = ticket.split(".") as [string, string];
    const flipped = `${payload.slice(0, -2)}${payload.at(-2) === "A" ? "B" : "A"}${payload.at(-1)}`;
    const other = createServices(registry, {
      LIMITER: env.LIMITER,
      RULES: env.RULES,
      API_TOKEN: "another-deployment",
    });
    const foreign = (await other.limiter.check({ policies: ["user_throttle"], user: "forger" }))
      .refundTicket;
    for (const bad of [
      "garbage",
      `${flipped}.${signature}`,
      `${payload}.${signature.slice(1)}A`,
      `${payload}.${signature}.extra`,
      foreign,
    ]) {
      const res = await refund(bad);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: "no such ticket: unknown, altered or expired" });
    }
    expect(await remaining({ policies: ["user_throttle"], user: "forger" })).toEqual([2]);
  });

  it("says what is wrong with a body that holds no ticket", async () => {
    for (const [body, error] of [
      [{}, "ticket is required"],
      [{ ticket: 5 }, "ticket must be a refund ticket (a string), got 5"],
      [{ ticket: "" }, "ticket must not be empty"],
      [{ tikcet: "x" }, "ticket is required; tikcet is not a known field. Did you mean: ticket?"],
    ] as const) {
      const res = await api("/v1/refund", { body });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error });
    }
  });

  it("issues no ticket for a check that consumed nothing", async () => {
    const body = { policies: ["user_throttle"], user: "drained", cost: 5 };
    await check(body);
    const denied = await check(body);
    expect(denied.res.status).toBe(429);
    expect(denied.json.refundTicket).toBeUndefined();
    const skipped = await check({ policies: ["chat_throttle", "retired_rule"], user: "x" });
    expect(skipped.json.refundTicket).toBeUndefined();
  });

  it("lets a subject in again that this isolate was denying from memory", async () => {
    const body = { policies: ["user_throttle"], user: "cached-denial" };
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await ticketOf(body));
    expect((await check(body)).res.status).toBe(429);
    expect((await refund(tickets[4])).status).toBe(200);
    expect((await check(body)).res.status).toBe(200);
  });

  it("costs an admission no extra row; a refund writes its mark beside the state", async () => {
    const rows: RowsWritten = { kvPuts: 0, kvDeletes: 0, alarmsSet: 0 };
    await countRowsWritten(stub("test:USER:rows"), rows);
    const ticket = await ticketOf({ policies: ["hourly_window"], user: "rows" });
    expect(rows.kvPuts).toBe(1);
    await refund(ticket);
    expect(rows.kvPuts).toBe(2);
    // The window is empty again, so its state is deleted: the mark is what remains.
    expect(rows.kvDeletes).toBe(1);
  });
});

describe("refunds that interleave", () => {
  it("give back each check's own window entry, even of checks in the same millisecond", async () => {
    const nowMs = Date.now();
    await setObjectClock(stub("test:USER:same-ms"), () => nowMs);
    const body = { policies: ["hourly_window"], user: "same-ms" };
    const [a, b, c] = [await ticketOf(body), await ticketOf(body), await ticketOf(body)];
    const results = await Promise.all([refund(a), refund(a), refund(b), refund(a), refund(b)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 409, 409, 409]);
    expect(c).toBeDefined();
    // Three admitted, two refunded once each: one stays counted.
    expect(await remaining(body)).toEqual([98]);
  });
});

describe("a refund that does not reach every object", () => {
  it("answers unavailable, and a second try gives back only what is left", async () => {
    let failChat = true;
    const namespace = {
      getByName(name: string) {
        const real = env.LIMITER.getByName(name);
        if (!name.startsWith("test:CHAT:")) return real;
        return new Proxy(real, {
          get: (target, method: string) =>
            method === "redeem" && failChat
              ? async () => {
                  throw new Error("network connection lost");
                }
              : Reflect.get(target, method),
        });
      },
    };
    const limiter = new Limiter(registry, namespace as typeof env.LIMITER, {
      ticketSecrets: () => ["partial-secret"],
    });
    const body = { policies: ["user_throttle", "chat_throttle"], user: "part", chat: "-1009" };
    const { refundTicket: ticket } = await limiter.check(body);
    await expect(limiter.refund({ ticket })).rejects.toThrow(/did not reach every object/);
    failChat = false;
    expect(await limiter.refund({ ticket })).toEqual({ refunded: true });
    expect(await limiter.refund({ ticket })).toEqual({
      refunded: false,
      reason: "already refunded",
    });
    const after = await limiter.check(body);
    expect(after.policies.map((p) => p.remaining)).toEqual([4, 19]);
  });
});

describe("ticket expiry", () => {
  it("refuses a ticket after an hour, by the worker's clock and by the object's", async () => {
    let workerMs = Date.now();
    const limiter = new Limiter(registry, env.LIMITER, {
      clock: () => workerMs,
      ticketSecrets: () => ["expiry-secret"],
    });
    const body = { policies: ["user_throttle"], user: "expiring" };
    const first = (await limiter.check(body)).refundTicket;
    workerMs += REFUND_TICKET_TTL_MS;
    expect(await limiter.refund({ ticket: first })).toEqual({
      refunded: false,
      reason: "unknown ticket",
    });
    // A worker whose clock lags cannot outlive the mark: the object refuses by its own clock.
    workerMs = Date.now();
    const second = (await limiter.check(body)).refundTicket;
    await setObjectClock(stub("test:USER:expiring"), () => Date.now() + REFUND_TICKET_TTL_MS);
    expect(await limiter.refund({ ticket: second })).toEqual({
      refunded: false,
      reason: "unknown ticket",
    });
  });

  it("accepts tickets signed before a rotation while both tokens are set", async () => {
    const before = createServices(registry, {
      LIMITER: env.LIMITER,
      RULES: env.RULES,
      API_TOKEN: "old",
    });
    const ticket = (await before.limiter.check({ policies: ["user_throttle"], user: "rot" }))
      .refundTicket;
    const during = createServices(registry, {
      LIMITER: env.LIMITER,
      RULES: env.RULES,
      API_TOKEN: "new",
      API_TOKEN_NEXT: "old",
    });
    expect(await during.limiter.refund({ ticket })).toEqual({ refunded: true });
  });
});

describe("RateLimiter.refund", () => {
  const limiter = exports.RateLimiter;

  it("gives back once, and says why not after that", async () => {
    const result = await limiter.check({ policies: ["export_cost"], user: "rpc", cost: 5 });
    const ticket = result.refundTicket ?? "";
    expect(await limiter.refund(ticket)).toEqual({ refunded: true });
    expect(await limiter.refund(ticket)).toEqual({ refunded: false, reason: "already refunded" });
    expect(await limiter.refund("not-a-ticket")).toEqual({
      refunded: false,
      reason: "unknown ticket",
    });
    const again = await limiter.check({ policies: ["export_cost"], user: "rpc", cost: 5 });
    expect(again.policies[0]?.remaining).toBe(5);
  });

  it("throws a clear Error for a ticket that is not a string", async () => {
    const loose = limiter as unknown as { refund(ticket: unknown): Promise<unknown> };
    const error = await rejection(loose.refund({ ticket: "x" }));
    expect(error.message).toBe(
      'ticket must be a string (a check\'s refundTicket), got {"ticket":"x"}',
    );
  });
});
