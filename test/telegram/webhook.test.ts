import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { faultyNamespace } from "../reliability/faulty.ts";
import { fixtures } from "./fixtures.ts";
import {
  appFor,
  callback,
  message,
  ORIGIN_SECRET,
  originBot,
  post,
  testRegistry,
  WEBHOOK_SECRET,
} from "./harness.ts";

const app = appFor(testRegistry());

afterEach(() => {
  vi.restoreAllMocks();
});

describe("authentication", () => {
  it("refuses a missing or wrong secret with 401, counting nothing", async () => {
    const { received, binding } = originBot();
    const before = (await listDurableObjectIds(env.LIMITER)).length;
    for (const secret of [null, "wrong", ""]) {
      const res = await post(app, { ORIGIN: binding }, message(1, "hi"), { secret });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: "missing or wrong X-Telegram-Bot-Api-Secret-Token",
      });
    }
    expect(received).toHaveLength(0);
    expect((await listDurableObjectIds(env.LIMITER)).length).toBe(before);
  });

  it("answers 404 for a bot it does not front", async () => {
    const res = await post(app, {}, message(1, "hi"), { bot: "otherbot" });
    expect(res.status).toBe(404);
  });

  it("refuses bodies over 1 MiB, malformed JSON and updates without update_id", async () => {
    const { binding } = originBot();
    const huge = JSON.stringify({ update_id: 1, message: { text: "x".repeat(1_100_000) } });
    const tooLarge = await post(app, { ORIGIN: binding }, huge);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ error: "the body must be at most 1048576 bytes" });
    const bad = await post(app, { ORIGIN: binding }, "{not json");
    expect(bad.status).toBe(400);
    const noId = await post(app, { ORIGIN: binding }, { message: { text: "hi" } });
    expect(noId.status).toBe(400);
    expect(await noId.json()).toEqual({ error: "update_id must be a non-negative integer" });
  });

  it("stops reading a streamed body without a length once it passes 1 MiB", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent > 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await app.request(
      "/telegram/mybot",
      {
        method: "POST",
        headers: { "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET },
        body,
      },
      { ...env, TG_WEBHOOK_SECRET: WEBHOOK_SECRET },
    );
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(64);
  });
});

describe("a real bot behind the limiter", () => {
  it("receives exactly the updates the policies let through", async () => {
    const { received, binding } = originBot();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await post(app, { ORIGIN: binding }, message(101, `message ${i}`));
      statuses.push(res.status);
    }
    // Telegram always gets 200, so it never re-sends what was dropped on purpose.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(received.map((u) => u.message?.text)).toEqual(["message 0", "message 1", "message 2"]);
  });

  it("forwards the original body with the origin's secret and the decision", async () => {
    let seen: Request | undefined;
    let body = "";
    const origin = {
      fetch: async (request: Request) => {
        seen = request;
        body = await request.text();
        return Response.json({ method: "sendMessage", chat_id: 102, text: "hi back" });
      },
    };
    const update = message(102, "hello there");
    const res = await post(app, { ORIGIN: origin }, update);
    expect(body).toBe(JSON.stringify(update));
    expect(seen?.headers.get("X-Telegram-Bot-Api-Secret-Token")).toBe(ORIGIN_SECRET);
    expect(seen?.headers.get("X-Limiter-Decision")).toBe("allowed");
    expect(seen?.headers.get("X-Limiter-Rule")).toBe("default");
    expect(seen?.headers.get("X-Limiter-Policies")).toBe("three,everyone");
    expect(seen?.headers.get("X-Limiter-Remaining")).toBe("2");
    // The origin's webhook reply goes back to Telegram unchanged.
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: "sendMessage", chat_id: 102, text: "hi back" });
  });

  // Fixtures share their users, so this bot limits only everyone together.
  const passApp = appFor(testRegistry({ rules: [], default: { policies: ["everyone"] } }));

  it.each(Object.keys(fixtures))("passes a %s update through to the bot", async (type) => {
    const { received, binding } = originBot();
    const res = await post(passApp, { ORIGIN: binding }, fixtures[type]);
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it("passes an update type it does not know to the bot", async () => {
    const { received, binding } = originBot();
    const res = await post(app, { ORIGIN: binding }, { update_id: 77, future_thing: { x: 1 } });
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
  });
});

describe("rules", () => {
  it("matches commands with @ThisBot and arguments, but not another bot's", async () => {
    let rule: string | null = null;
    const origin = {
      fetch: async (request: Request) => {
        rule = request.headers.get("X-Limiter-Rule");
        return new Response(null);
      },
    };
    await post(app, { ORIGIN: origin }, message(103, "/start@MyBot ref42"));
    expect(rule).toBe("start");
    await post(app, { ORIGIN: origin }, message(103, "/START"));
    expect(rule).toBe("start");
    await post(app, { ORIGIN: origin }, message(103, "/start@OtherBot"));
    expect(rule).toBe("default");
  });

  it("matches chat types, callback prefixes and text patterns", async () => {
    const rules: (string | null)[] = [];
    const origin = {
      fetch: async (request: Request) => {
        rules.push(request.headers.get("X-Limiter-Rule"));
        return new Response(null);
      },
    };
    await post(app, { ORIGIN: origin }, message(104, "hi", { id: -100500, type: "supergroup" }));
    await post(app, { ORIGIN: origin }, callback(104, "vote:1"));
    await post(app, { ORIGIN: origin }, callback(104, "menu:1"));
    await post(app, { ORIGIN: origin }, message(104, "HELLO WORLD!"));
    expect(rules).toEqual(["groups", "votes", "default", "shouting"]);
  });

  it("debounces the same button, answering the press so its spinner stops", async () => {
    const { received, binding } = originBot();
    expect((await post(app, { ORIGIN: binding }, callback(105, "vote:yes"))).status).toBe(200);
    const repeat = callback(105, "vote:yes");
    const res = await post(app, { ORIGIN: binding }, repeat);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      method: "answerCallbackQuery",
      callback_query_id: repeat.callback_query.id,
      text: "Already counted",
      show_alert: true,
    });
    expect((await post(app, { ORIGIN: binding }, callback(105, "vote:no"))).status).toBe(200);
    expect(received.map((u) => u.callback_query?.data)).toEqual(["vote:yes", "vote:no"]);
  });

  it("sends a message notice at most once a window, then drops silently", async () => {
    const { received, binding } = originBot();
    const group = { id: -100600, type: "group" };
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(app, { ORIGIN: binding }, message(106, `m${i}`, group));
      expect(res.status).toBe(200);
      bodies.push(await res.text());
    }
    expect(received).toHaveLength(2);
    expect(JSON.parse(bodies[2] ?? "")).toEqual({
      method: "sendMessage",
      chat_id: -100600,
      text: "Too fast, slow down",
    });
    expect(bodies.slice(3)).toEqual(["", ""]);
  });
});

describe("a policy named twice in a rule", () => {
  it("counts once", async () => {
    const twiceApp = appFor(testRegistry({ rules: [], default: { policies: ["three", "three"] } }));
    const seen: Record<string, string | null> = {};
    const origin = {
      fetch: async (request: Request) => {
        seen.remaining = request.headers.get("X-Limiter-Remaining");
        seen.policies = request.headers.get("X-Limiter-Policies");
        return new Response(null);
      },
    };
    await post(twiceApp, { ORIGIN: origin }, message(115, "a"));
    expect(seen).toEqual({ remaining: "2", policies: "three" });
  });
});

describe("re-sent updates", () => {
  it("counts and forwards an update at most once", async () => {
    const { received, binding } = originBot();
    const update = message(107, "once");
    for (let i = 0; i < 3; i++) {
      expect((await post(app, { ORIGIN: binding }, update)).status).toBe(200);
    }
    expect(received).toHaveLength(1);
    const next = message(107, "twice");
    let remaining: string | null = null;
    const origin = {
      fetch: async (request: Request) => {
        remaining = request.headers.get("X-Limiter-Remaining");
        return new Response(null);
      },
    };
    await post(app, { ORIGIN: origin }, next);
    expect(remaining).toBe("1");
  });
});

describe("origin failures", () => {
  it("answers 502 when the origin fails, and lets Telegram's retry through, counted once", async () => {
    const update = message(108, "retry me");
    const down = { fetch: async () => new Response("boom", { status: 500 }) };
    const first = await post(app, { ORIGIN: down }, update);
    expect(first.status).toBe(502);
    expect(await first.json()).toEqual({ error: "bad gateway" });
    let remaining: string | null = null;
    const up = {
      fetch: async (request: Request) => {
        remaining = request.headers.get("X-Limiter-Remaining");
        return new Response(null);
      },
    };
    expect((await post(app, { ORIGIN: up }, update)).status).toBe(200);
    expect(remaining).toBe("2");
  });

  it("answers 502 when the origin is unreachable or too slow", async () => {
    const unreachable = {
      fetch: async () => {
        throw new TypeError("Network connection lost.");
      },
    };
    expect((await post(app, { ORIGIN: unreachable }, message(109, "a"))).status).toBe(502);
    const slowApp = appFor(testRegistry({ timeoutSeconds: 1 }));
    const hanging = {
      fetch: (request: Request) =>
        new Promise<Response>((_, reject) => {
          request.signal.addEventListener("abort", () => reject(request.signal.reason));
        }),
    };
    expect((await post(slowApp, { ORIGIN: hanging }, message(109, "b"))).status).toBe(502);
  });

  it("passes an origin's 4xx back unchanged", async () => {
    const picky = { fetch: async () => new Response("nope", { status: 403 }) };
    const res = await post(app, { ORIGIN: picky }, message(110, "a"));
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("nope");
  });

  it("reaches an https origin by URL", async () => {
    const urlApp = appFor(testRegistry({ origin: "https://bot.test/hook" }));
    const { received, binding } = originBot();
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      expect(request.url).toBe("https://bot.test/hook");
      return binding.fetch(request);
    });
    expect((await post(urlApp, {}, message(111, "by url"))).status).toBe(200);
    expect(received).toHaveLength(1);
  });
});

describe("when the limiter itself fails", () => {
  const brokenLimiter = {
    getByName: () => ({
      check: async () => {
        throw Object.assign(new Error("Durable Object is overloaded"), { overloaded: true });
      },
    }),
  };

  it("fails open by default: forwards, and says so", async () => {
    let decision: string | null = null;
    const origin = {
      fetch: async (request: Request) => {
        decision = request.headers.get("X-Limiter-Decision");
        return new Response(null);
      },
    };
    const res = await post(
      appFor(testRegistry(), brokenLimiter),
      { ORIGIN: origin },
      message(112, "a"),
    );
    expect(res.status).toBe(200);
    expect(decision).toBe("fail-open");
  });

  it("fails open when the limiter hangs past its time budget", async () => {
    const { namespace } = faultyNamespace("hang");
    const quickApp = appFor(testRegistry({}, { budgetMs: 50 }), namespace);
    const { received, binding } = originBot();
    const res = await post(quickApp, { ORIGIN: binding }, message(114, "a"));
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it("fails closed when configured: asks Telegram to retry later", async () => {
    const closedApp = appFor(testRegistry({ failMode: "closed" }), brokenLimiter);
    const { received, binding } = originBot();
    const res = await post(closedApp, { ORIGIN: binding }, message(113, "a"));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "limiter unavailable; retry later" });
    expect(received).toHaveLength(0);
  });
});
