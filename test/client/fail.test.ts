import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import {
  type CheckResult,
  type LimitOptions,
  limit,
  limiterClient,
  type RateLimiterBinding,
  type RateLimitVariables,
} from "../../src/client/index.ts";

type AppEnv = { Variables: RateLimitVariables };

/** A limiter binding whose `check` does what the test says; it records refunds. */
function bindingThat(check: () => Promise<CheckResult>) {
  const refunded: string[] = [];
  const unused = () => Promise.reject(new Error("not used by this test"));
  const binding: RateLimiterBinding = {
    check,
    refund: async (ticket) => {
      refunded.push(ticket);
      return { refunded: true };
    },
    peek: unused,
    acquire: unused,
    release: unused,
    renew: unused,
    reset: unused,
    policies: unused,
  };
  return { binding, refunded };
}

const throwing = () => bindingThat(() => Promise.reject(new Error("Network connection lost")));
const silent = () => bindingThat(() => new Promise<never>(() => {}));

function late() {
  let answer: (result: CheckResult) => void = () => {};
  const pending = new Promise<CheckResult>((resolve) => {
    answer = resolve;
  });
  return { ...bindingThat(() => pending), answer };
}

/** Once every promise already resolved has run its callbacks. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

const admitted = (refundTicket?: string): CheckResult => ({
  allowed: true,
  retryAfterMs: 0,
  policies: [],
  refundTicket,
});

/** An app with one limited route; its execution context keeps what is left running. */
function appWith(binding: RateLimiterBinding, options: Partial<LimitOptions<AppEnv>> = {}) {
  const handled: string[] = [];
  const app = new Hono<AppEnv>();
  app.post(
    "/login",
    limit<AppEnv>({
      binding: () => binding,
      policies: ["login_ip"],
      subject: () => ({ ip: "203.0.113.1" }),
      timeoutMs: 20,
      ...options,
    }),
    async (c) => {
      const password = await c.req.text();
      handled.push(password);
      if (password !== "right") return c.json({ error: "wrong password" }, 401);
      return c.json({ ok: true, unavailable: c.get("rateLimit").unavailable ?? false });
    },
  );
  const waiting: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => waiting.push(p), passThroughOnException() {} };
  const login = (password = "right") =>
    app.request("/login", { method: "POST", body: password }, {}, ctx as never);
  return { login, handled, waiting };
}

describe("the middleware when the limiter fails", () => {
  it.each([
    ["throws", throwing],
    ["never answers", silent],
  ])(
    "fails closed by default when the limiter %s: 503, the handler never runs",
    async (_, make) => {
      const { login, handled } = appWith(make().binding);
      const res = await login();
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).toBe("1");
      expect(await res.json()).toEqual({ error: "limiter unavailable; retry later" });
      expect(handled).toEqual([]);
    },
  );

  it.each([
    ["throws", throwing],
    ["never answers", silent],
  ])("lets the request through with onError open when the limiter %s", async (_, make) => {
    const { login, handled } = appWith(make().binding, { onError: "open" });
    const res = await login();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, unavailable: true });
    expect(handled).toEqual(["right"]);
  });

  it("answers with the owner's function, which is told what went wrong", async () => {
    const seen: string[] = [];
    const onError = (error: Error) => {
      seen.push(`${error.name}: ${error.message}`);
      return new Response("try again in a minute", { status: 503 });
    };
    for (const make of [throwing, silent]) {
      const res = await appWith(make().binding, { onError }).login();
      expect(res.status).toBe(503);
      expect(await res.text()).toBe("try again in a minute");
    }
    expect(seen).toEqual([
      "Error: Network connection lost",
      "TimeoutError: the limiter did not answer within 20 ms",
    ]);
  });

  it("gives back what a late answer consumed when the request was turned away", async () => {
    const closed = late();
    const app = appWith(closed.binding);
    expect((await app.login()).status).toBe(503);
    closed.answer(admitted("late-ticket"));
    await settled();
    await Promise.all(app.waiting);
    expect(closed.refunded).toEqual(["late-ticket"]);

    // Let through, the request used what it consumed: nothing goes back.
    const open = late();
    const openApp = appWith(open.binding, { onError: "open" });
    expect((await openApp.login()).status).toBe(200);
    open.answer(admitted("kept-ticket"));
    await settled();
    await Promise.all(openApp.waiting);
    expect(open.refunded).toEqual([]);
  });

  it("never fails open on a caller's mistake: an unknown policy is the app's 500", async () => {
    const { binding } = bindingThat(() =>
      Promise.reject(new TypeError('unknown policy "login_iq". Did you mean: login_ip?')),
    );
    const { login, handled } = appWith(binding, { onError: "open" });
    expect((await login()).status).toBe(500);
    expect(handled).toEqual([]);
  });
});

describe("skip, asked after the handler", () => {
  it("refunds the requests it says should not count, before the response goes out", async () => {
    const { binding, refunded } = bindingThat(async () => admitted(`t${Math.random()}`));
    const { login } = appWith(binding, { skip: (c) => c.res.status < 400 });
    expect((await login("right")).status).toBe(200);
    expect(refunded).toHaveLength(1);
    expect((await login("wrong")).status).toBe(401);
    expect(refunded).toHaveLength(1);
  });

  it("has nothing to refund for a check that consumed nothing", async () => {
    const { binding, refunded } = bindingThat(async () => admitted(undefined));
    const { login } = appWith(binding, { skip: () => true });
    expect((await login()).status).toBe(200);
    expect(refunded).toEqual([]);
  });
});

describe("limiterClient", () => {
  const input = { policies: ["user_throttle"], user: "42" };

  it("answers check as onError says when the limiter throws or never answers", async () => {
    for (const make of [throwing, silent]) {
      const closed = limiterClient(make().binding, { timeoutMs: 20 });
      expect(await closed.check(input)).toEqual({
        allowed: false,
        retryAfterMs: 1000,
        unavailable: true,
        policies: [],
      });
      const open = limiterClient(make().binding, { timeoutMs: 20, onError: "open" });
      expect(await open.check(input)).toMatchObject({ allowed: true, unavailable: true });
    }
    const chosen: string[] = [];
    const client = limiterClient(silent().binding, {
      timeoutMs: 20,
      onError: (error, asked) => {
        chosen.push(`${error.name} ${asked.user}`);
        return "open";
      },
    });
    expect((await client.check(input)).allowed).toBe(true);
    expect(chosen).toEqual(["TimeoutError 42"]);
  });

  it("refunds a late answer to a check it turned away", async () => {
    const slow = late();
    const waiting: Promise<unknown>[] = [];
    const client = limiterClient(slow.binding, {
      timeoutMs: 20,
      waitUntil: (p) => waiting.push(p),
    });
    expect((await client.check(input)).allowed).toBe(false);
    slow.answer(admitted("late"));
    await settled();
    await Promise.all(waiting);
    expect(slow.refunded).toEqual(["late"]);
  });

  it("rejects the other calls with a TimeoutError, and rethrows a caller's mistake", async () => {
    const hanging = silent().binding;
    hanging.acquire = () => new Promise(() => {});
    const client = limiterClient(hanging, { timeoutMs: 20 });
    await expect(client.acquire("jobs", { user: "1" })).rejects.toMatchObject({
      name: "TimeoutError",
    });
    const mistaken = limiterClient(
      bindingThat(() => Promise.reject(new TypeError("user must not be empty"))).binding,
      { onError: "open" },
    );
    await expect(mistaken.check(input)).rejects.toThrow(TypeError);
  });

  it("passes an answer in time through unchanged", async () => {
    const answer = admitted("t");
    const client = limiterClient(bindingThat(async () => answer).binding);
    expect(await client.check(input)).toBe(answer);
  });
});
