import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { updateBucket } from "../../src/telegram/bucket.ts";
import { extractUpdate, type UpdateFacts } from "../../src/telegram/extract.ts";
import { fixtures } from "./fixtures.ts";
import { appFor, callback, message, originBot, post } from "./harness.ts";

// A rule's `bucketFrom` names the bucket of its per-bucket policies from each update: the
// command, the button's action (its callback data up to the first ":"), or the update type.

const bot = {
  origin: "ORIGIN",
  secretTokenSecret: "TG_WEBHOOK_SECRET",
  originSecret: "TG_ORIGIN_SECRET",
  username: "MyBot",
  rules: [
    {
      name: "commands",
      match: { commands: ["/start", "/help"] },
      policies: ["per_command"],
      bucketFrom: "command",
    },
    {
      name: "buttons",
      match: { updateTypes: ["callback_query"] },
      policies: ["per_action", "per_user"],
      bucketFrom: "callbackAction",
      onDeny: { reply: "One press a minute per button" },
    },
  ],
  default: { policies: ["per_type"], bucketFrom: "updateType" },
};

const registry = Registry.fromJson({
  app: "tgb",
  policies: {
    per_command: { kind: "throttle", rate: 1, per: 60, perRequestBucket: true },
    per_action: { kind: "throttle", rate: 1, per: 60, perRequestBucket: true },
    per_user: { kind: "throttle", rate: 10, per: 60 },
    per_type: { kind: "throttle", rate: 1, per: 60, perRequestBucket: true },
  },
  telegram: { bots: { mybot: bot } },
});
const app = appFor(registry);

describe("a bucket from each update", () => {
  it("counts one user's presses of two actions apart, and of one action together", async () => {
    const { received, binding } = originBot();
    const press = (user: number, data: string) =>
      post(app, { ORIGIN: binding }, callback(user, data));
    expect((await press(301, "vote:yes")).status).toBe(200);
    const sameAction = await press(301, "vote:no");
    expect(await sameAction.json()).toMatchObject({
      method: "answerCallbackQuery",
      callback_query_id: expect.any(String),
      text: "One press a minute per button",
    });
    expect((await press(301, "like")).status).toBe(200);
    expect((await press(302, "vote:no")).status).toBe(200);
    expect(received.map((u) => [u.callback_query?.from.id, u.callback_query?.data])).toEqual([
      [301, "vote:yes"],
      [301, "like"],
      [302, "vote:no"],
    ]);
  });

  it("counts each command apart, whatever bot it names or arguments it has", async () => {
    const { received, binding } = originBot();
    const send = (text: string) => post(app, { ORIGIN: binding }, message(303, text));
    await send("/start");
    await send("/START@MyBot again");
    await send("/help");
    await send("/help me");
    expect(received.map((u) => u.message?.text)).toEqual(["/start", "/help"]);
  });

  it("counts each update type apart under the default rule", async () => {
    const { received, binding } = originBot();
    const edited = (text: string) => {
      const update = message(304, text) as Record<string, unknown>;
      update.edited_message = { ...(update.message as object), edit_date: 1767225660 };
      delete update.message;
      return update;
    };
    await post(app, { ORIGIN: binding }, message(304, "first"));
    await post(app, { ORIGIN: binding }, message(304, "second"));
    await post(app, { ORIGIN: binding }, edited("first, edited"));
    expect(received.map((u) => u.message?.text ?? u.edited_message?.text)).toEqual([
      "first",
      "first, edited",
    ]);
  });
});

describe("the bucket an update names", () => {
  const facts = (update: object) => extractUpdate(update) as UpdateFacts;

  it("reads the command, the action and the type from real updates", () => {
    expect(updateBucket("command", facts(fixtures.command_with_target as object))).toBe("/start");
    expect(updateBucket("callbackAction", facts(fixtures.callback_query as object))).toBe("vote");
    expect(updateBucket("callbackAction", facts(fixtures.callback_query_inline as object))).toBe(
      "like",
    );
    expect(updateBucket("updateType", facts(fixtures.edited_message as object))).toBe(
      "edited_message",
    );
    expect(updateBucket(undefined, facts(fixtures.callback_query as object))).toBeUndefined();
  });

  it("has none where the update has no such part, or one no key can hold", () => {
    expect(updateBucket("command", facts(fixtures.message as object))).toBeUndefined();
    expect(updateBucket("callbackAction", facts(fixtures.message as object))).toBeUndefined();
    const data = (value: string) => facts(callback(1, value));
    expect(updateBucket("callbackAction", data(":leading colon"))).toBeUndefined();
    expect(updateBucket("callbackAction", data("bell\u0007:x"))).toBeUndefined();
    expect(updateBucket("callbackAction", data("a:b:c"))).toBe("a");
  });

  it("skips the per-bucket policies of an update without one, and counts the rest", async () => {
    const { received, binding } = originBot();
    const game = callback(305, "x") as { callback_query: Record<string, unknown> };
    delete game.callback_query.data;
    game.callback_query.game_short_name = "tetris";
    let policies: string | null = null;
    const origin = {
      fetch: async (request: Request) => {
        policies = request.headers.get("X-Limiter-Policies");
        return binding.fetch(request);
      },
    };
    expect((await post(app, { ORIGIN: origin }, game)).status).toBe(200);
    expect(policies).toBe("per_user");
    expect(received).toHaveLength(1);
  });
});
