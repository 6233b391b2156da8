import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.ts";
import { Registry } from "../../src/config/registry.ts";
import { browser } from "../dashboard/harness.ts";
import { api } from "../helpers.ts";
import { metricsRegistry } from "../metrics/harness.ts";
import { BOT_TOKEN, gatewayWorld, WORKER } from "../telegram/gateway/harness.ts";
import { appFor, originBot, post, testRegistry } from "../telegram/harness.ts";
import { hostileValue, mutated, rawBody, STACK_TRACE } from "./hostile.ts";

/** What was tried, by door and answer, printed at the end: "what it tried and what was lost". */
const tried = new Map<string, number>();
const count = (what: string) => tried.set(what, (tried.get(what) ?? 0) + 1);

afterAll(() => {
  const total = [...tried.values()].reduce((a, b) => a + b, 0);
  const lost = [...tried].reduce((sum, [what, n]) => (/ 5\d\d$/.test(what) ? sum + n : sum), 0);
  const lines = [...tried].sort().map(([what, n]) => `  ${what}: ${n}`);
  console.log(`fuzz: ${total} hostile cases tried, ${lost} answered 5xx\n${lines.join("\n")}`);
});

/** A rejection must be a 4xx whose JSON body says what is wrong. */
async function expectSafe(res: Response, allowed: number[], door = "http") {
  count(`${door} ${res.status}`);
  const text = await res.text();
  expect(res.status, text).toBeLessThan(500);
  expect(allowed).toContain(res.status);
  expect(text).not.toMatch(STACK_TRACE);
  if (res.status >= 400 && res.status !== 429) {
    const json = JSON.parse(text) as { error?: unknown };
    expect(typeof json.error).toBe("string");
    expect((json.error as string).length).toBeGreaterThan(5);
  }
}

const validCheck = {
  policies: ["user_throttle", "user_debounce"],
  user: "fuzz",
  chat: "-1",
  ip: "192.0.2.1",
  key: "k",
  cost: 1,
  fingerprint: "x",
};

const bucketCheck = {
  policies: ["login_provider", "user_throttle"],
  user: "fuzz",
  bucket: "google",
};

// Thousands of requests per test: about 6 s each on an idle two-core machine. The timeout
// leaves room for a machine twenty times slower, so it fails only on a hang.
const FUZZ_TIMEOUT_MS = 120_000;

describe("hostile input never gets a 5xx", { timeout: FUZZ_TIMEOUT_MS }, () => {
  it("POST /v1/check with mutated bodies", async () => {
    await fc.assert(
      fc.asyncProperty(mutated(validCheck, Object.keys(validCheck)), async (body) => {
        await expectSafe(await api("/v1/check", { body }), [200, 400, 413, 429]);
      }),
      { numRuns: 3_000 },
    );
  });

  it("POST /v1/check and /v1/reset with mutated buckets", async () => {
    await fc.assert(
      fc.asyncProperty(mutated(bucketCheck, Object.keys(bucketCheck)), async (body) => {
        await expectSafe(await api("/v1/check", { body }), [200, 400, 413, 429]);
      }),
      { numRuns: 1_000 },
    );
    const reset = { policy: "login_provider", user: "fuzz", bucket: "google" };
    await fc.assert(
      fc.asyncProperty(mutated(reset, Object.keys(reset)), async (body) => {
        await expectSafe(await api("/v1/reset", { body }), [200, 400, 413]);
      }),
      { numRuns: 500 },
    );
  });

  it("POST /v1/check with raw bodies", async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, async (body) => {
        await expectSafe(await api("/v1/check", { body }), [200, 400, 413, 429]);
      }),
      { numRuns: 1_000 },
    );
  });

  it("POST /v1/leases and DELETE /v1/leases/:id", async () => {
    const valid = { policy: "jobs_concurrency", user: "fuzz-lease" };
    await fc.assert(
      fc.asyncProperty(mutated(valid, ["policy", "user"]), async (body) => {
        await expectSafe(await api("/v1/leases", { body }), [201, 400, 413, 429]);
      }),
      { numRuns: 1_000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), async (id) => {
        const path = `/v1/leases/${encodeURIComponent(id)}`;
        await expectSafe(await api(path, { method: "DELETE" }), [404]);
      }),
      { numRuns: 500 },
    );
  });

  it("POST /v1/peek with mutated bodies", async () => {
    await fc.assert(
      fc.asyncProperty(mutated(validCheck, Object.keys(validCheck)), async (body) => {
        await expectSafe(await api("/v1/peek", { body }), [200, 400, 413]);
      }),
      { numRuns: 500 },
    );
  });

  it("the admin routes: blocks, overrides and the audit log", async () => {
    const admin = { token: "test-admin-token" };
    const block = { user: "fuzz-admin", policies: ["user_throttle"], seconds: 60, reason: "r" };
    await fc.assert(
      fc.asyncProperty(mutated(block, Object.keys(block)), async (body) => {
        await expectSafe(
          await api("/v1/admin/blocks", { body, ...admin }),
          [201, 400, 409, 413],
          "admin",
        );
      }),
      { numRuns: 500 },
    );
    const override = { user: "fuzz-admin", limit: { rate: 5, per: 60 }, seconds: 60 };
    const policy = fc.oneof(fc.constant("user_throttle"), fc.string({ maxLength: 80 }));
    await fc.assert(
      fc.asyncProperty(policy, mutated(override, Object.keys(override)), async (name, body) => {
        const path = `/v1/admin/overrides/${encodeURIComponent(name)}`;
        await expectSafe(
          await api(path, { method: "PUT", body, ...admin }),
          [200, 400, 404, 409, 413],
          "admin",
        );
      }),
      { numRuns: 500 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (limit) => {
        const path = `/v1/admin/audit?limit=${encodeURIComponent(limit)}`;
        await expectSafe(await api(path, admin), [200, 400], "admin");
      }),
      { numRuns: 200 },
    );
  });

  it("POST /v1/refund with hostile and altered tickets", async () => {
    const issued = await api("/v1/check", {
      body: { policies: ["user_throttle"], user: "fuzz-refund" },
    });
    const { refundTicket } = (await issued.json()) as { refundTicket: string };
    // Tickets a byte or two away from a real one, and anything else in their place.
    const altered = fc
      .tuple(fc.nat({ max: refundTicket.length - 1 }), fc.string({ minLength: 1, maxLength: 2 }))
      .map(([at, text]) => `${refundTicket.slice(0, at)}${text}${refundTicket.slice(at + 1)}`);
    const body = fc.oneof(
      altered.map((ticket) => ({ ticket })),
      mutated({ ticket: refundTicket }, ["ticket"]),
      rawBody,
    );
    await fc.assert(
      fc.asyncProperty(body, async (body) => {
        await expectSafe(await api("/v1/refund", { body }), [200, 400, 404, 409, 413]);
      }),
      { numRuns: 1_500 },
    );
  });

  it("PATCH /v1/leases/:id with hostile ids and bodies", async () => {
    const lease = await api("/v1/leases", {
      body: { policy: "jobs_concurrency", user: "fuzz-renew" },
    });
    const { leaseId } = (await lease.json()) as { leaseId: string };
    const id = fc.oneof(fc.constant(leaseId), fc.string({ minLength: 1, maxLength: 300 }));
    const body = fc.oneof(mutated({ ttl: 30 }, ["ttl"]), rawBody, fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(id, body, async (leaseId, body) => {
        const path = `/v1/leases/${encodeURIComponent(leaseId)}`;
        await expectSafe(await api(path, { method: "PATCH", body }), [200, 400, 404, 413]);
      }),
      { numRuns: 1_000 },
    );
  });

  it("the metrics routes: ?minutes= and bearer tokens", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 40 }), hostileValue), async (minutes) => {
        const path = `/v1/admin/metrics?minutes=${encodeURIComponent(String(minutes))}`;
        await expectSafe(await api(path, { token: "test-admin-token" }), [200, 400], "metrics");
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (header) => {
        let res: Response;
        try {
          res = await api("/metrics", { token: null, headers: { Authorization: header } });
        } catch {
          return; // not a header value a client can send
        }
        await expectSafe(res, [200, 401], "metrics");
      }),
      { numRuns: 300 },
    );
  });

  it("the dashboard's forms, signed in or not", async () => {
    const page = browser(metricsRegistry());
    await page.signIn();
    await page.get();
    const csrf = page.csrf();
    const value = fc.oneof(fc.string({ maxLength: 200, unit: "grapheme" }), hostileValue);
    const form = fc.dictionary(
      fc.constantFrom(
        "identity",
        "value",
        "policies",
        "seconds",
        "reason",
        "policy",
        "user",
        "chat",
        "ip",
        "key",
        "rate",
        "per",
        "limit",
        "window",
        "unlimited",
        "minutes",
        "token",
        "__proto__",
      ),
      value.map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
      { maxKeys: 8 },
    );
    const path = fc.constantFrom(
      "/dashboard/blocks",
      "/dashboard/overrides",
      "/dashboard/sign-in",
      "/dashboard/blocks/blk_nope/change",
      "/dashboard/overrides/ovr_nope/remove",
    );
    await fc.assert(
      fc.asyncProperty(path, form, fc.boolean(), async (to, fields, signedIn) => {
        const saved = page.cookie();
        if (!signedIn) page.setCookie("");
        const { res, html } = await page.post(to, fields, { csrf });
        page.setCookie(saved);
        count(`dashboard ${res.status}`);
        expect(res.status, html).toBeLessThan(500);
        expect([303, 400, 401, 403, 409, 413]).toContain(res.status);
        expect(html).not.toMatch(STACK_TRACE);
        if (res.status === 400) expect(html).toMatch(/role="alert">[^<]{6,}</);
      }),
      { numRuns: 400 },
    );
  });

  it("POST /telegram/:bot with hostile updates", async () => {
    const app = appFor(testRegistry());
    const { binding } = originBot();
    const update = fc.oneof(
      fc.record({ update_id: fc.nat(), message: hostileValue }),
      fc.record({ update_id: fc.nat(), callback_query: hostileValue }),
      // Albums: a real sender and chat, anything as the album id and the photo.
      fc.record({
        update_id: fc.nat(),
        message: fc.record({
          from: fc.constant({ id: 4242, is_bot: false, first_name: "F" }),
          chat: fc.constantFrom(
            { id: 4242, type: "private" },
            { id: -1004242, type: "supergroup" },
          ),
          media_group_id: fc.oneof(hostileValue, fc.constantFrom("13791543512345678", "1")),
          photo: hostileValue,
          caption: fc.option(fc.string({ maxLength: 20 })),
        }),
      }),
      fc.record({ update_id: hostileValue, message: fc.anything({ maxDepth: 3 }) }),
      fc.dictionary(fc.string({ maxLength: 20 }), hostileValue, { maxKeys: 4 }),
      rawBody,
    );
    await fc.assert(
      fc.asyncProperty(update, async (body) => {
        await expectSafe(await post(app, { ORIGIN: binding }, body), [200, 400, 413], "telegram");
      }),
      { numRuns: 2_500 },
    );
  });

  it("the Bot API gateway: Telegram-shaped answers, never a 5xx", async () => {
    const world = gatewayWorld({ maxWaitSeconds: 0 });
    const method = fc.oneof(
      fc.constantFrom("sendMessage", "sendMediaGroup", "copyMessages", "editMessageText", "getMe"),
      fc.string({ maxLength: 80 }),
    );
    const token = fc.oneof(
      fc.constant(BOT_TOKEN),
      fc.constant(BOT_TOKEN),
      fc.string({ maxLength: 60 }),
    );
    const valid = {
      chat_id: 1,
      text: "x",
      media: [{}, {}],
      message_ids: [1, 2],
      allow_paid_broadcast: true,
    };
    const params = mutated(valid, Object.keys(valid));
    const body = fc.oneof(
      fc.tuple(
        fc.constant("application/json"),
        fc.oneof(
          params.map((p) => JSON.stringify(p)),
          rawBody,
        ),
      ),
      fc.tuple(
        fc.constant("application/x-www-form-urlencoded"),
        fc
          .dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 4 })
          .map((form) => new URLSearchParams(form).toString()),
      ),
      fc.tuple(
        fc.constantFrom("multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain"),
        rawBody,
      ),
    );
    await fc.assert(
      fc.asyncProperty(method, token, fc.option(body), async (name, secret, sent) => {
        const url = `${WORKER}/telegram/gw/bot${encodeURIComponent(secret)}/${encodeURIComponent(name)}`;
        const init: RequestInit =
          sent === null
            ? { method: "GET" }
            : { method: "POST", headers: { "Content-Type": sent[0] }, body: sent[1] };
        const res = await world.call(new Request(url, init));
        count(`gateway ${res.status}`);
        const text = await res.text();
        expect(res.status, text).toBeLessThan(500);
        expect(text).not.toMatch(STACK_TRACE);
        if (res.status >= 400) {
          const answer = JSON.parse(text) as {
            ok: boolean;
            error_code: number;
            description: string;
          };
          expect(answer).toMatchObject({ ok: false, error_code: res.status });
          expect(answer.description.length).toBeGreaterThan(5);
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it("RPC methods: a result, or a plain Error that says what is wrong", async () => {
    const rpc = exports.RateLimiter as unknown as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    const call = fc.oneof(
      mutated(validCheck, Object.keys(validCheck)).map((body) => ["check", body] as const),
      fc.tuple(hostileValue, hostileValue).map((args) => ["acquire", ...args] as const),
      fc.tuple(hostileValue).map((args) => ["release", ...args] as const),
      fc.tuple(hostileValue, hostileValue).map((args) => ["renew", ...args] as const),
      fc.tuple(hostileValue).map((args) => ["refund", ...args] as const),
      fc.tuple(hostileValue, hostileValue).map((args) => ["reset", ...args] as const),
    );
    await fc.assert(
      fc.asyncProperty(call, async ([method, ...args]) => {
        try {
          await rpc[method]?.(...args);
          count(`rpc ${method} answered`);
        } catch (error) {
          count(`rpc ${method} threw`);
          const message = (error as Error).message;
          expect(message).not.toBe("internal error");
          expect(message.length).toBeGreaterThan(5);
          expect(message).not.toMatch(STACK_TRACE);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("policies.json: every rejection names what is wrong", () => {
    const policy = fc.record(
      {
        kind: fc.oneof(
          fc.constantFrom("throttle", "debounce", "window", "concurrency"),
          hostileValue,
        ),
        rate: hostileValue,
        per: hostileValue,
        window: hostileValue,
        limit: hostileValue,
        ttl: hostileValue,
        scope: hostileValue,
        mode: hostileValue,
        perRequestBucket: hostileValue,
        maxBuckets: hostileValue,
      },
      { requiredKeys: ["kind"] },
    );
    const policies = fc.dictionary(fc.string({ maxLength: 20 }), policy, { maxKeys: 3 });
    // An environment's changes over a valid base: any field, kind optional.
    const base = { user_throttle: { kind: "throttle", rate: 5, per: 60 } };
    const changes = fc.dictionary(
      fc.oneof(fc.constantFrom("user_throttle", "added"), fc.string({ maxLength: 10 })),
      fc.record(
        {
          kind: policy.map((p) => p.kind),
          rate: hostileValue,
          per: hostileValue,
          capacity: hostileValue,
          window: hostileValue,
          enabled: hostileValue,
          perRequestBucket: hostileValue,
        },
        { requiredKeys: [] },
      ),
      { maxKeys: 3 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ policies }),
          fc.record({
            policies: fc.constant(base),
            environments: fc.dictionary(
              fc.string({ maxLength: 10 }),
              fc.record({ policies: changes }),
              {
                maxKeys: 2,
              },
            ),
          }),
          fc.record({
            policies,
            environments: fc.oneof(
              fc.dictionary(fc.string({ maxLength: 10 }), fc.record({ policies }), { maxKeys: 2 }),
              hostileValue,
            ),
          }),
          fc.anything({ maxDepth: 4 }),
        ),
        (config) => {
          try {
            // Every environment of a file accepted can be started with.
            for (const name of Registry.fromJson(config).environments) {
              expect(Registry.fromJson(config, name).environment).toBe(name);
            }
            count("policies.json accepted");
          } catch (error) {
            count("policies.json rejected");
            expect(error).toBeInstanceOf(ConfigError);
            for (const problem of (error as ConfigError).problems) {
              expect(problem.length).toBeGreaterThan(5);
              expect(problem).not.toMatch(/Invalid input|undefined undefined/);
            }
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
