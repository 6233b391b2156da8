import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BAD_UPDATE_ID,
  type ExtractResult,
  extractUpdate,
  KNOWN_UPDATE_TYPES,
  UNREADABLE_UPDATE,
  UPDATE_NOT_OBJECT,
  type UpdateFacts,
} from "../../src/telegram/extract.ts";
import { ALICE, fixtures, PRIVATE_CHAT, SUPERGROUP } from "./fixtures.ts";

function facts(update: unknown): UpdateFacts {
  const result = extractUpdate(update);
  if ("error" in result) throw new Error(`unexpected error: ${result.error}`);
  return result;
}

function fixture(name: string): object {
  const update = fixtures[name];
  if (update === undefined) throw new Error(`no fixture ${name}`);
  return update;
}

function messageUpdate(message: object, type = "message"): object {
  return { update_id: 1, [type]: { message_id: 1, from: ALICE, chat: SUPERGROUP, ...message } };
}

type Identity = Pick<UpdateFacts, "type" | "userId" | "chatId" | "chatType">;

const SUPER = { chatId: "-1001234567890", chatType: "supergroup" } as const;
const CHANNEL = { chatId: "-1009876543210", chatType: "channel" } as const;
const GROUP = { chatId: "-4012345678", chatType: "group" } as const;
const ALICE_ID = "123456789";
const BOB_ID = "987654321";
const ALICE_PRIVATE = { chatId: ALICE_ID, chatType: "private" } as const;
const ALICE_BUSINESS = { chatId: "b123456789", chatType: "private" } as const;

const expected: Record<string, Identity> = {
  message: { type: "message", userId: ALICE_ID, ...ALICE_PRIVATE },
  edited_message: { type: "edited_message", userId: BOB_ID, ...SUPER },
  channel_post: { type: "channel_post", ...CHANNEL },
  edited_channel_post: { type: "edited_channel_post", ...CHANNEL },
  business_connection: {
    type: "business_connection",
    userId: BOB_ID,
    chatId: "987654321",
    chatType: "private",
  },
  business_message: { type: "business_message", userId: ALICE_ID, ...ALICE_BUSINESS },
  edited_business_message: {
    type: "edited_business_message",
    userId: ALICE_ID,
    ...ALICE_BUSINESS,
  },
  deleted_business_messages: { type: "deleted_business_messages", ...ALICE_BUSINESS },
  guest_message: {
    type: "guest_message",
    userId: ALICE_ID,
    chatId: "g-1001234567890",
    chatType: "supergroup",
  },
  stopped_message_generation: {
    type: "stopped_message_generation",
    userId: ALICE_ID,
    ...ALICE_PRIVATE,
  },
  message_reaction: { type: "message_reaction", userId: BOB_ID, ...SUPER },
  message_reaction_count: { type: "message_reaction_count", ...CHANNEL },
  inline_query: { type: "inline_query", userId: ALICE_ID, chatType: "supergroup" },
  chosen_inline_result: { type: "chosen_inline_result", userId: ALICE_ID },
  callback_query: { type: "callback_query", userId: BOB_ID, ...GROUP },
  shipping_query: { type: "shipping_query", userId: ALICE_ID },
  pre_checkout_query: { type: "pre_checkout_query", userId: ALICE_ID },
  purchased_paid_media: { type: "purchased_paid_media", userId: BOB_ID },
  poll: { type: "poll" },
  poll_answer: { type: "poll_answer", userId: ALICE_ID },
  my_chat_member: { type: "my_chat_member", userId: ALICE_ID, ...SUPER },
  chat_member: { type: "chat_member", userId: ALICE_ID, ...SUPER },
  chat_join_request: { type: "chat_join_request", userId: BOB_ID, ...SUPER },
  chat_boost: { type: "chat_boost", userId: BOB_ID, ...CHANNEL },
  removed_chat_boost: { type: "removed_chat_boost", userId: BOB_ID, ...CHANNEL },
  managed_bot: { type: "managed_bot", userId: ALICE_ID },
  subscription: { type: "subscription", userId: BOB_ID },
  anonymous_admin_message: { type: "message", userId: "c-1001234567890", ...SUPER },
  channel_in_group_message: { type: "message", userId: "c-1009876543210", ...SUPER },
  callback_query_inline: { type: "callback_query", userId: ALICE_ID },
  command_with_target: { type: "message", userId: BOB_ID, ...SUPER },
  photo_with_caption: { type: "message", userId: ALICE_ID, ...GROUP },
  business_message_same_chat: { type: "business_message", userId: ALICE_ID, ...ALICE_BUSINESS },
  business_callback_query: { type: "callback_query", userId: ALICE_ID, ...ALICE_BUSINESS },
  anonymous_reaction: { type: "message_reaction", userId: "c-1001234567890", ...SUPER },
  anonymous_poll_answer: { type: "poll_answer", userId: "c-1009876543210" },
  photo: { type: "message", userId: ALICE_ID, ...ALICE_PRIVATE },
  sticker: { type: "message", userId: BOB_ID, chatId: BOB_ID, chatType: "private" },
};

/** What every result must satisfy: identities are usable as key parts. */
function assertWellFormed(result: ExtractResult): void {
  if ("error" in result) {
    expect(typeof result.error).toBe("string");
    return;
  }
  expect(Number.isSafeInteger(result.updateId) && result.updateId >= 0).toBe(true);
  expect(typeof result.type).toBe("string");
  expect(result.type.length).toBeLessThanOrEqual(64);
  for (const id of [result.userId, result.chatId]) {
    if (id === undefined) continue;
    expect(id).not.toContain(":");
    expect(id.length).toBeGreaterThan(0);
    expect(id.length).toBeLessThanOrEqual(64);
  }
  if (result.userId !== undefined) expect(result.userId).toMatch(/^c?-?\d+$/);
  if (result.chatId !== undefined) expect(result.chatId).toMatch(/^[bg]?-?\d+$/);
  if (result.command !== undefined) expect(result.command).toMatch(/^\/[a-z0-9_]+$/);
  if (result.replyChatId !== undefined) {
    expect(Number.isSafeInteger(result.replyChatId)).toBe(true);
  }
  if (result.fingerprint !== undefined) expect(typeof result.fingerprint).toBe("string");
}

describe("identity per update type", () => {
  it("has a fixture for every known update type", () => {
    for (const type of KNOWN_UPDATE_TYPES) expect(Object.keys(fixtures)).toContain(type);
  });

  it("has an expectation for every fixture", () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(fixtures).sort());
  });

  it.each(Object.keys(fixtures))("%s", (name) => {
    const result = facts(fixture(name));
    const want = expected[name];
    expect(result.known).toBe(true);
    expect({
      type: result.type,
      userId: result.userId,
      chatId: result.chatId,
      chatType: result.chatType,
    }).toEqual({ userId: undefined, chatId: undefined, chatType: undefined, ...want });
    assertWellFormed(result);
  });

  it("keeps the update id", () => {
    expect(facts(fixture("message")).updateId).toBe(600000001);
    expect(facts({ update_id: 0, poll: {} }).updateId).toBe(0);
    const max = Number.MAX_SAFE_INTEGER;
    expect(facts({ update_id: max, poll: {} }).updateId).toBe(max);
  });

  it("omits fields it has no value for", () => {
    expect(facts(fixture("poll"))).toStrictEqual({
      updateId: 600000019,
      type: "poll",
      known: true,
    });
  });
});

describe("namespaces", () => {
  it("keeps a business chat apart from the regular chat with the same number", () => {
    const regular = facts(fixture("message"));
    const business = facts(fixture("business_message_same_chat"));
    expect(PRIVATE_CHAT.id).toBe(123456789);
    expect(regular.chatId).toBe("123456789");
    expect(business.chatId).toBe("b123456789");
    expect(business.chatId).not.toBe(regular.chatId);
    expect(business.businessConnectionId).toBe("AbCdEfGhIjKlMnOp_qrs");
    expect(regular.businessConnectionId).toBeUndefined();
  });

  it("keeps a chat acting as a user apart from a user with the same number", () => {
    const asUser = facts(messageUpdate({ from: { id: 42, is_bot: false, first_name: "A" } }));
    const asChat = facts(messageUpdate({ sender_chat: { id: 42, type: "channel" } }));
    expect(asUser.userId).toBe("42");
    expect(asChat.userId).toBe("c42");
  });

  it("prefers sender_chat over the placeholder from", () => {
    const result = facts(fixture("anonymous_admin_message"));
    expect(result.userId).toBe("c-1001234567890");
  });

  it("does not treat a channel's own sender_chat as an actor", () => {
    expect(facts(fixture("channel_post")).userId).toBeUndefined();
    const signed = { ...SUPERGROUP, id: -1009876543210, type: "channel" };
    const post = messageUpdate({ chat: signed, sender_chat: signed }, "channel_post");
    expect(facts(post).userId).toBe(ALICE_ID);
  });

  it("prefixes guest chats", () => {
    expect(facts(fixture("guest_message")).chatId).toBe("g-1001234567890");
  });
});

describe("replies", () => {
  it("offers the chat of a message", () => {
    const result = facts(fixture("message"));
    expect(result.replyChatId).toBe(123456789);
    expect(result.businessConnectionId).toBeUndefined();
  });

  it("offers the chat and connection of a business message", () => {
    const result = facts(fixture("business_message"));
    expect(result.replyChatId).toBe(123456789);
    expect(result.businessConnectionId).toBe("AbCdEfGhIjKlMnOp_qrs");
  });

  it("offers the guest query id, not a chat, for guest messages", () => {
    const result = facts(fixture("guest_message"));
    expect(result.replyChatId).toBeUndefined();
    expect(result.guestQueryId).toBe("5190773012345678901");
  });

  it("offers query ids for callback and inline queries", () => {
    const callback = facts(fixture("callback_query"));
    expect(callback.callbackQueryId).toBe("4382bfdwdsb323b2d9");
    expect(callback.callbackData).toBe("vote:yes");
    expect(callback.replyChatId).toBeUndefined();
    expect(facts(fixture("inline_query")).inlineQueryId).toBe("4239482983982398");
  });

  it("has no chat for a callback on an inline message", () => {
    const result = facts(fixture("callback_query_inline"));
    expect(result.chatId).toBeUndefined();
    expect(result.callbackQueryId).toBe("4382bfdwdsb323b2e0");
  });

  it("offers the connection of a business connection update", () => {
    const result = facts(fixture("business_connection"));
    expect(result.businessConnectionId).toBe("AbCdEfGhIjKlMnOp_qrs");
    expect(result.replyChatId).toBeUndefined();
  });
});

describe("commands", () => {
  function commandOf(text: string, entities?: object[]) {
    const result = facts(messageUpdate(entities ? { text, entities } : { text }));
    return { command: result.command, commandTarget: result.commandTarget };
  }

  it("splits off the bot name and the arguments", () => {
    const result = facts(fixture("command_with_target"));
    expect(result.command).toBe("/start");
    expect(result.commandTarget).toBe("mybot");
    expect(result.text).toBe("/start@MyBot payload");
  });

  it.each([
    ["/start", undefined, "/start", undefined],
    ["/Help me please", undefined, "/help", undefined],
    ["/START@MY_Bot", undefined, "/start", "my_bot"],
    ["/start\npayload", undefined, "/start", undefined],
    ["/start,now", [{ type: "bot_command", offset: 0, length: 6 }], "/start", undefined],
    ["/stats@Bot x", [{ type: "bot_command", offset: 0, length: 10 }], "/stats", "bot"],
  ])("reads %j", (text, entities, command, commandTarget) => {
    expect(commandOf(text, entities)).toEqual({ command, commandTarget });
  });

  it.each([["hello /start"], ["/"], ["/ start"], ["/etc/passwd"], ["/старт"], ["//start"]])(
    "finds no command in %j",
    (text) => {
      expect(commandOf(text)).toEqual({ command: undefined, commandTarget: undefined });
    },
  );

  it("ignores a command entity that is not at the start", () => {
    const entities = [{ type: "bot_command", offset: 6, length: 6 }];
    expect(commandOf("hello /start", entities).command).toBeUndefined();
  });

  it("reads commands in captions", () => {
    const caption = "/upload@MyBot now";
    const entities = [{ type: "bot_command", offset: 0, length: 13 }];
    const update = messageUpdate({ photo: [], caption, caption_entities: entities });
    const result = facts(update);
    expect(result.text).toBe(caption);
    expect(result.command).toBe("/upload");
    expect(result.commandTarget).toBe("mybot");
  });
});

describe("fingerprints", () => {
  it.each([
    ["message", "text:hello"],
    ["photo_with_caption", "caption:Look at this"],
    ["photo", "file:AQADl"],
    ["sticker", "file:AgADsticker"],
    ["callback_query", "cb:vote:yes"],
    ["inline_query", "inline:cats"],
    ["poll_answer", "poll:5377643193141559299:1"],
    ["anonymous_poll_answer", "poll:5377643193141559300:0,2"],
  ])("%s → %s", (name, fingerprint) => {
    expect(facts(fixture(name)).fingerprint).toBe(fingerprint);
  });

  it.each(["document", "video", "audio", "voice", "video_note", "animation", "sticker"])(
    "uses the file_unique_id of a %s",
    (field) => {
      const media = { file_id: "BQACAgIAAxk", file_unique_id: `uniq-${field}` };
      expect(facts(messageUpdate({ [field]: media })).fingerprint).toBe(`file:uniq-${field}`);
    },
  );

  it("picks the largest photo size whatever the order", () => {
    const photo = [
      { file_unique_id: "big", width: 1280, height: 960 },
      { file_unique_id: "small", width: 90, height: 67 },
    ];
    expect(facts(messageUpdate({ photo })).fingerprint).toBe("file:big");
  });

  it("never lets different kinds collide", () => {
    const kinds = [
      facts(messageUpdate({ text: "x" })).fingerprint,
      facts(messageUpdate({ caption: "x", photo: [] })).fingerprint,
      facts({ update_id: 1, callback_query: { id: "1", from: ALICE, data: "x" } }).fingerprint,
      facts({ update_id: 1, inline_query: { id: "1", from: ALICE, query: "x" } }).fingerprint,
      facts(messageUpdate({ sticker: { file_unique_id: "x" } })).fingerprint,
    ];
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it("prefers words over the file", () => {
    const photo = [{ file_unique_id: "p", width: 1, height: 1 }];
    expect(facts(messageUpdate({ photo, caption: "c" })).fingerprint).toBe("caption:c");
    expect(facts(messageUpdate({ photo, caption: "" })).fingerprint).toBe("file:p");
  });

  it("counts an empty inline query as content", () => {
    const update = { update_id: 1, inline_query: { id: "1", from: ALICE, query: "" } };
    expect(facts(update).fingerprint).toBe("inline:");
  });

  it("tells votes in different polls apart", () => {
    const vote = (poll_id: string) => ({
      update_id: 1,
      poll_answer: { poll_id, user: ALICE, option_ids: [0] },
    });
    expect(facts(vote("a")).fingerprint).not.toBe(facts(vote("b")).fingerprint);
  });

  it.each(["poll", "chat_member", "message_reaction", "business_connection"])(
    "has none for %s",
    (name) => {
      expect(facts(fixture(name)).fingerprint).toBeUndefined();
    },
  );

  it("has none for a message without content", () => {
    expect(
      facts(messageUpdate({ location: { latitude: 1, longitude: 2 } })).fingerprint,
    ).toBeUndefined();
  });
});

describe("unknown update types", () => {
  it("passes an unknown type through with its key", () => {
    const update = { update_id: 7, future_update: { from: ALICE, chat: SUPERGROUP } };
    expect(extractUpdate(update)).toStrictEqual({
      updateId: 7,
      type: "future_update",
      known: false,
    });
  });

  it("calls an update with no other key unknown", () => {
    expect(extractUpdate({ update_id: 7 })).toStrictEqual({
      updateId: 7,
      type: "unknown",
      known: false,
    });
  });

  it("prefers a known key over an unknown one before it", () => {
    const update = { update_id: 7, future_update: {}, message: { from: ALICE } };
    expect(facts(update)).toMatchObject({ type: "message", known: true, userId: ALICE_ID });
  });

  it("bounds the length of an unknown key", () => {
    const key = "x".repeat(500);
    expect(facts({ update_id: 7, [key]: {} }).type).toBe("x".repeat(64));
  });

  it("never reads the prototype", () => {
    const update = JSON.parse('{"update_id":1,"__proto__":{"from":{"id":1}},"constructor":1}');
    expect(facts(update)).toMatchObject({ type: "__proto__", known: false });
    expect(facts({ update_id: 1, toString: {} }).known).toBe(false);
  });
});

describe("errors", () => {
  it.each([null, undefined, 42, "update", true, [], [{ update_id: 1 }]])(
    "refuses a non-object %j",
    (input) => {
      expect(extractUpdate(input)).toEqual({ error: UPDATE_NOT_OBJECT });
    },
  );

  it.each([
    {},
    { update_id: -1 },
    { update_id: 1.5 },
    { update_id: "1" },
    { update_id: null },
    { update_id: Number.NaN },
    { update_id: Number.POSITIVE_INFINITY },
    { update_id: 2 ** 53 },
    { update_id: [1], message: {} },
  ])("refuses update_id in %j", (input) => {
    expect(extractUpdate(input)).toEqual({ error: BAD_UPDATE_ID });
    expect(BAD_UPDATE_ID).toBe("update_id must be a non-negative integer");
  });

  it("does not throw on objects that throw when read", () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error("boom");
        },
        getOwnPropertyDescriptor: () => {
          throw new Error("boom");
        },
        ownKeys: () => {
          throw new Error("boom");
        },
      },
    );
    expect(extractUpdate(hostile)).toEqual({ error: UNREADABLE_UPDATE });
    const getter = { update_id: 1 };
    Object.defineProperty(getter, "message", {
      enumerable: true,
      get: () => {
        throw new Error("boom");
      },
    });
    expect(extractUpdate(getter)).toEqual({ error: UNREADABLE_UPDATE });
  });
});

describe("unexpected shapes", () => {
  it("leaves fields undefined when they have the wrong type", () => {
    const update = {
      update_id: 1,
      message: {
        from: "alice",
        chat: { id: "-100123", type: "megagroup" },
        text: 42,
        entities: "none",
        photo: { file_unique_id: "x" },
        sticker: [],
      },
    };
    expect(extractUpdate(update)).toStrictEqual({ updateId: 1, type: "message", known: true });
  });

  it("refuses ids that are not safe integers", () => {
    for (const id of [1.5, Number.NaN, 2 ** 60, "123", null, { id: 1 }]) {
      const update = messageUpdate({ from: { id }, chat: { id, type: "private" } });
      const result = facts(update);
      expect(result.userId).toBeUndefined();
      expect(result.chatId).toBeUndefined();
    }
  });

  it("reads the payload of a known type even when it is not an object", () => {
    for (const payload of [null, "text", 7, [], [{ from: ALICE }]]) {
      expect(extractUpdate({ update_id: 3, message: payload })).toStrictEqual({
        updateId: 3,
        type: "message",
        known: true,
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Properties.

const SPECIAL_KEYS = [...KNOWN_UPDATE_TYPES, "update_id", "__proto__", "constructor", "toString"];
const keyArb = fc.oneof(fc.string(), fc.constantFrom(...SPECIAL_KEYS));
const anythingArb = fc.anything({
  key: keyArb,
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withObjectString: true,
  withSet: true,
});

const idArb = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.string(),
  fc.constant(-1001234567890),
  anythingArb,
);
const chatArb = fc.record(
  { id: idArb, type: fc.oneof(fc.constantFrom("private", "group", "channel"), fc.string()) },
  { requiredKeys: [] },
);
const userArb = fc.record({ id: idArb, is_bot: fc.boolean() }, { requiredKeys: [] });
const textArb = fc.oneof(
  fc.string(),
  fc.constantFrom("/start", "/start@MyBot x", "/", "/a:b", "@x"),
  anythingArb,
);
const entitiesArb = fc.oneof(
  fc.array(
    fc.record({
      type: fc.oneof(fc.constant("bot_command"), fc.string()),
      offset: idArb,
      length: idArb,
    }),
  ),
  anythingArb,
);
const fileArb = fc.oneof(fc.record({ file_unique_id: textArb }), anythingArb);

const messageFields = {
  from: fc.oneof(userArb, anythingArb),
  sender_chat: fc.oneof(chatArb, anythingArb),
  chat: fc.oneof(chatArb, anythingArb),
  text: textArb,
  caption: textArb,
  entities: entitiesArb,
  caption_entities: entitiesArb,
  photo: fc.oneof(
    fc.array(fc.record({ file_unique_id: textArb, width: idArb, height: idArb })),
    anythingArb,
  ),
  document: fileArb,
  sticker: fileArb,
  business_connection_id: textArb,
  guest_query_id: textArb,
};
const messageArb = fc.record(messageFields, { requiredKeys: [] });
const payloadArb = fc.record(
  {
    ...messageFields,
    message: fc.oneof(messageArb, anythingArb),
    user: fc.oneof(userArb, anythingArb),
    actor_chat: fc.oneof(chatArb, anythingArb),
    voter_chat: fc.oneof(chatArb, anythingArb),
    id: textArb,
    data: textArb,
    query: textArb,
    chat_type: textArb,
    poll_id: textArb,
    option_ids: fc.oneof(fc.array(idArb), anythingArb),
    user_chat_id: idArb,
    source: fc.oneof(fc.record({ user: userArb }), anythingArb),
    boost: fc.oneof(fc.record({ source: fc.record({ user: userArb }) }), anythingArb),
  },
  { requiredKeys: [] },
);

function noThrowAndWellFormed(input: unknown): void {
  let result: ExtractResult | undefined;
  expect(() => {
    result = extractUpdate(input);
  }).not.toThrow();
  if (result === undefined) throw new Error("no result");
  assertWellFormed(result);
}

/** Every path into a JSON-like value, so a mutation can land anywhere in a fixture. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [prefix];
  const entries = Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))];
}

function setPath(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (typeof root !== "object" || root === null || head === undefined) return root;
  if (Array.isArray(root)) {
    const copy: unknown[] = [...root];
    copy[Number(head)] = setPath(copy[Number(head)], rest, replacement);
    return copy;
  }
  const copy: Record<string, unknown> = { ...root };
  copy[head] = setPath(copy[head], rest, replacement);
  return copy;
}

describe("properties", () => {
  it("never throws on anything", () => {
    fc.assert(fc.property(anythingArb, noThrowAndWellFormed), { numRuns: 2000 });
  });

  it("never throws on objects with a valid update_id and arbitrary other keys", () => {
    const arb = fc
      .tuple(fc.nat(), fc.dictionary(keyArb, anythingArb))
      .map(([id, rest]) => ({ ...rest, update_id: id }));
    fc.assert(fc.property(arb, noThrowAndWellFormed), { numRuns: 2000 });
  });

  it("never throws on update-shaped records of every known type", () => {
    const arb = fc
      .tuple(
        fc.oneof(fc.nat(), fc.maxSafeInteger(), anythingArb),
        fc.constantFrom(...KNOWN_UPDATE_TYPES),
        fc.oneof(payloadArb, anythingArb),
      )
      .map(([id, type, payload]) => ({ update_id: id, [type]: payload }));
    fc.assert(
      fc.property(arb, (update) => {
        noThrowAndWellFormed(update);
        const result = extractUpdate(update);
        if (!("error" in result)) expect(result.known).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws on fixtures with one part replaced by anything", () => {
    const names = Object.keys(fixtures);
    const arb = fc
      .tuple(fc.constantFrom(...names), fc.nat(), anythingArb)
      .map(([name, index, replacement]) => {
        const update = fixture(name);
        const all = paths(update);
        const path = all[index % all.length] ?? [];
        return { path, mutated: setPath(update, path, replacement) };
      });
    fc.assert(
      fc.property(arb, ({ path, mutated }) => {
        noThrowAndWellFormed(mutated);
        const result = extractUpdate(mutated);
        if (path.length > 0 && path[0] !== "update_id") expect("error" in result).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
