import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.ts";
import { Registry } from "../../src/config/registry.ts";
import { api } from "../helpers.ts";
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

  it("POST /telegram/:bot with hostile updates", async () => {
    const app = appFor(testRegistry());
    const { binding } = originBot();
    const update = fc.oneof(
      fc.record({ update_id: fc.nat(), message: hostileValue }),
      fc.record({ update_id: fc.nat(), callback_query: hostileValue }),
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
      },
      { requiredKeys: ["kind"] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            policies: fc.dictionary(fc.string({ maxLength: 20 }), policy, { maxKeys: 3 }),
          }),
          fc.anything({ maxDepth: 4 }),
        ),
        (config) => {
          try {
            Registry.fromJson(config);
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
