/**
 * Reads the facts the limiter keys on out of a raw Telegram update, without trusting its shape.
 *
 * Identities are namespaced because Telegram's id spaces overlap. A business chat carries the
 * same number as the bot's own private chat with that person, a guest chat is one the bot is
 * not even in, and a chat acting as a sender (anonymous admin, channel) must not share a bucket
 * with a user whose id happens to match. Plain ids stay bare, as Telegram and configs show them.
 *
 * Fingerprint (for debounce), first that applies: "text:", "caption:", "cb:" (callback data),
 * "inline:" (inline query text), "file:" (file_unique_id of the media; for a photo, the largest
 * size), "poll:" (poll id and chosen option ids). Debounce must catch what a person repeats (a
 * double-tapped button, the same sticker twice), so it uses content, never per-update ids. What
 * they typed outranks the attached file because that is what they retype. The kind prefix keeps
 * a text "x" and a callback "x" apart; the poll id keeps the same vote in two polls apart; the
 * largest photo size is picked by area because the order of sizes is not promised.
 */

export type ChatType = "private" | "group" | "supergroup" | "channel";

export interface UpdateFacts {
  updateId: number;
  /**
   * The update's field name, e.g. "message", "callback_query"; for an update with no known
   * field, the first non-"update_id" key (cut to 64 chars), or "unknown".
   */
  type: string;
  /** false when the update type is not one this code knows (it then passes through). */
  known: boolean;
  /**
   * Rate-limit identity of the actor: a user id as a decimal string ("123"); when a chat acts
   * as the user (sender_chat, actor_chat, voter_chat) the chat id prefixed with "c" ("c-100123").
   */
  userId?: string;
  /**
   * Rate-limit identity of the chat: the chat id as a decimal string ("-100123"); business chats
   * are prefixed "b" ("b123"), guest chats "g".
   */
  chatId?: string;
  chatType?: ChatType;
  /** Text or caption of the message, if any. */
  text?: string;
  /** Bot command at the start of the text, lowercased, without "@BotName" or arguments. */
  command?: string;
  /** The "@BotName" the command was addressed to, lowercased, without "@". */
  commandTarget?: string;
  callbackData?: string;
  callbackQueryId?: string;
  inlineQueryId?: string;
  /** For guest messages: the only way to answer them is answerGuestQuery with this id. */
  guestQueryId?: string;
  /** Chat id to send a notice to with sendMessage (with businessConnectionId if present). */
  replyChatId?: number;
  businessConnectionId?: string;
  /** Content used for debounce (see the top of this file). */
  fingerprint?: string;
}

export type ExtractResult = UpdateFacts | { error: string };

type Facts = Omit<UpdateFacts, "updateId" | "type" | "known">;
type Extractor = (payload: unknown) => Facts;
type JsonObject = Record<string, unknown>;

/** Unknown keys come from the sender; a bound keeps logs and metric labels sane. */
const MAX_TYPE_LENGTH = 64;

// ---------------------------------------------------------------------------------------------
// Narrowing helpers: every read goes through these, so a wrong shape reads as "absent".

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own properties only: "constructor" or "__proto__" must never read the prototype. */
function get(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

function getString(value: unknown, key: string): string | undefined {
  const field = get(value, key);
  return typeof field === "string" ? field : undefined;
}

function getNonEmptyString(value: unknown, key: string): string | undefined {
  const field = getString(value, key);
  return field === "" ? undefined : field;
}

/** Telegram ids fit in 52 bits; anything else (1.5, NaN, "123") is not an id. */
function getInteger(value: unknown, key: string): number | undefined {
  const field = get(value, key);
  return typeof field === "number" && Number.isSafeInteger(field) ? field + 0 : undefined;
}

function compact<T extends object>(value: T): T {
  const entries = Object.entries(value).filter(([, field]) => field !== undefined);
  return Object.fromEntries(entries) as T;
}

// ---------------------------------------------------------------------------------------------
// Identities. A safe integer prints as plain digits, so no key can hold ":" or grow long.

type ChatPrefix = "" | "b" | "g";

function idKey(prefix: string, id: number | undefined): string | undefined {
  return id === undefined ? undefined : `${prefix}${id}`;
}

function userKey(user: unknown): string | undefined {
  return idKey("", getInteger(user, "id"));
}

/** A chat standing in for a person gets its own namespace, apart from user ids. */
function actorChatKey(chat: unknown): string | undefined {
  return idKey("c", getInteger(chat, "id"));
}

/** The acting chat wins: when it is present, `from` is a placeholder bot, not the person. */
function actorKey(actorChat: unknown, user: unknown): string | undefined {
  return actorChatKey(actorChat) ?? userKey(user);
}

function chatKey(chat: unknown, prefix: ChatPrefix): string | undefined {
  return idKey(prefix, getInteger(chat, "id"));
}

const CHAT_TYPES: ReadonlySet<string> = new Set(["private", "group", "supergroup", "channel"]);

function isChatType(value: string | undefined): value is ChatType {
  return value !== undefined && CHAT_TYPES.has(value);
}

function chatTypeOf(chat: unknown): ChatType | undefined {
  const type = getString(chat, "type");
  return isChatType(type) ? type : undefined;
}

function chatFacts(chat: unknown, prefix: ChatPrefix = ""): Facts {
  return { chatId: chatKey(chat, prefix), chatType: chatTypeOf(chat) };
}

// ---------------------------------------------------------------------------------------------
// Commands.

// Telegram only links commands of Latin letters, digits and "_"; the bound keeps the command
// usable as a key part.
const COMMAND = /^\/([a-z0-9_]{1,64})(?:@([a-z0-9_]{1,64}))?$/i;
const FIRST_WORD = /^\S+/;

function isLeadingCommand(entity: unknown): boolean {
  return getString(entity, "type") === "bot_command" && getInteger(entity, "offset") === 0;
}

/** The entity says where the command ends ("/start,x"); without one, the first word does. */
function commandToken(text: string, entities: unknown): string | undefined {
  if (!text.startsWith("/")) return undefined;
  const entity = Array.isArray(entities) ? entities.find(isLeadingCommand) : undefined;
  const length = getInteger(entity, "length");
  if (length !== undefined && length > 1) return text.slice(0, length);
  return FIRST_WORD.exec(text)?.[0];
}

function commandFacts(text: string | undefined, entities: unknown): Facts {
  if (text === undefined) return {};
  const token = commandToken(text, entities);
  const match = token === undefined ? null : COMMAND.exec(token);
  const name = match?.[1];
  if (name === undefined) return {};
  return { command: `/${name.toLowerCase()}`, commandTarget: match?.[2]?.toLowerCase() };
}

// ---------------------------------------------------------------------------------------------
// Fingerprints.

const MEDIA_FIELDS = [
  "document",
  "video",
  "audio",
  "voice",
  "video_note",
  "animation",
  "sticker",
] as const;

function largestPhotoId(sizes: unknown): string | undefined {
  if (!Array.isArray(sizes)) return undefined;
  let best: string | undefined;
  let bestArea = -1;
  for (const size of sizes) {
    const id = getNonEmptyString(size, "file_unique_id");
    const area = (getInteger(size, "width") ?? 0) * (getInteger(size, "height") ?? 0);
    if (id !== undefined && area >= bestArea) {
      best = id;
      bestArea = area;
    }
  }
  return best;
}

function mediaId(message: unknown): string | undefined {
  const photo = largestPhotoId(get(message, "photo"));
  if (photo !== undefined) return photo;
  for (const field of MEDIA_FIELDS) {
    const id = getNonEmptyString(get(message, field), "file_unique_id");
    if (id !== undefined) return id;
  }
  return undefined;
}

function messageFingerprint(message: unknown): string | undefined {
  const text = getNonEmptyString(message, "text");
  if (text !== undefined) return `text:${text}`;
  const caption = getNonEmptyString(message, "caption");
  if (caption !== undefined) return `caption:${caption}`;
  const file = mediaId(message);
  return file === undefined ? undefined : `file:${file}`;
}

// ---------------------------------------------------------------------------------------------
// Messages.

interface MessageKind {
  chatPrefix: ChatPrefix;
  /** In a channel post sender_chat is the channel itself: it names the chat, not an actor. */
  senderChatActs: boolean;
  /** A guest bot is not a member of the chat, so sendMessage there would fail. */
  replyable: boolean;
}

const REGULAR: MessageKind = { chatPrefix: "", senderChatActs: true, replyable: true };
const CHANNEL: MessageKind = { chatPrefix: "", senderChatActs: false, replyable: true };
const BUSINESS: MessageKind = { chatPrefix: "b", senderChatActs: true, replyable: true };
const GUEST: MessageKind = { chatPrefix: "g", senderChatActs: true, replyable: false };

function messageText(message: unknown): Facts {
  const text = getNonEmptyString(message, "text");
  if (text !== undefined) return { text, ...commandFacts(text, get(message, "entities")) };
  const caption = getNonEmptyString(message, "caption");
  return { text: caption, ...commandFacts(caption, get(message, "caption_entities")) };
}

function messageFacts(message: unknown, kind: MessageKind): Facts {
  const chat = get(message, "chat");
  const businessConnectionId = getNonEmptyString(message, "business_connection_id");
  // A business message is told by its connection id too, whatever update carries it.
  const prefix = kind.chatPrefix || (businessConnectionId === undefined ? "" : "b");
  const senderChat = kind.senderChatActs ? get(message, "sender_chat") : undefined;
  return {
    userId: actorKey(senderChat, get(message, "from")),
    ...chatFacts(chat, prefix),
    ...messageText(message),
    replyChatId: kind.replyable ? getInteger(chat, "id") : undefined,
    businessConnectionId,
    guestQueryId: getNonEmptyString(message, "guest_query_id"),
    fingerprint: messageFingerprint(message),
  };
}

// ---------------------------------------------------------------------------------------------
// Other update kinds.

function callbackQueryFacts(query: unknown): Facts {
  // Absent for buttons on inline messages: those live in no chat the bot can see.
  const message = get(query, "message");
  const businessConnectionId = getNonEmptyString(message, "business_connection_id");
  const data = getString(query, "data");
  return {
    userId: userKey(get(query, "from")),
    ...chatFacts(get(message, "chat"), businessConnectionId === undefined ? "" : "b"),
    callbackData: data,
    callbackQueryId: getNonEmptyString(query, "id"),
    businessConnectionId,
    fingerprint: data === undefined ? undefined : `cb:${data}`,
  };
}

/** Inline queries say where they come from without an id; "sender" is the bot's own chat. */
function inlineChatType(query: unknown): ChatType | undefined {
  const type = getString(query, "chat_type");
  return type === "sender" ? "private" : isChatType(type) ? type : undefined;
}

function inlineQueryFacts(query: unknown): Facts {
  // An empty query is real content: it is what the user sees before typing.
  const text = getString(query, "query");
  return {
    userId: userKey(get(query, "from")),
    chatType: inlineChatType(query),
    inlineQueryId: getNonEmptyString(query, "id"),
    fingerprint: text === undefined ? undefined : `inline:${text}`,
  };
}

function pollAnswerFingerprint(answer: unknown): string | undefined {
  const pollId = getString(answer, "poll_id");
  const options = get(answer, "option_ids");
  if (pollId === undefined || !Array.isArray(options)) return undefined;
  const ids = options.filter((id) => typeof id === "number" && Number.isSafeInteger(id));
  return `poll:${pollId}:${ids.join(",")}`;
}

function pollAnswerFacts(answer: unknown): Facts {
  return {
    userId: actorKey(get(answer, "voter_chat"), get(answer, "user")),
    fingerprint: pollAnswerFingerprint(answer),
  };
}

function fromFacts(payload: unknown): Facts {
  return { userId: userKey(get(payload, "from")) };
}

function userFacts(payload: unknown): Facts {
  return { userId: userKey(get(payload, "user")) };
}

function memberFacts(payload: unknown): Facts {
  return { userId: userKey(get(payload, "from")), ...chatFacts(get(payload, "chat")) };
}

function reactionFacts(reaction: unknown): Facts {
  return {
    userId: actorKey(get(reaction, "actor_chat"), get(reaction, "user")),
    ...chatFacts(get(reaction, "chat")),
  };
}

function chatOnlyFacts(payload: unknown): Facts {
  return chatFacts(get(payload, "chat"));
}

/** Added boosts nest the source in `boost`; removed ones carry it at the top level. */
function boostFacts(payload: unknown): Facts {
  const source = get(payload, "source") ?? get(get(payload, "boost"), "source");
  return { userId: userKey(get(source, "user")), ...chatFacts(get(payload, "chat")) };
}

// user_chat_id is the bot's own private chat with the business owner, not a business chat,
// so it shares the plain chat namespace.
function businessConnectionFacts(connection: unknown): Facts {
  return {
    userId: userKey(get(connection, "user")),
    chatId: idKey("", getInteger(connection, "user_chat_id")),
    chatType: "private",
    businessConnectionId: getNonEmptyString(connection, "id"),
  };
}

function deletedBusinessMessagesFacts(deleted: unknown): Facts {
  return {
    ...chatFacts(get(deleted, "chat"), "b"),
    businessConnectionId: getNonEmptyString(deleted, "business_connection_id"),
  };
}

/** Always a private chat, whose id is the id of the user who pressed "stop". */
function stoppedGenerationFacts(stopped: unknown): Facts {
  const chat = get(stopped, "chat");
  const facts = chatFacts(chat);
  return facts.chatType === "private" ? { ...facts, userId: userKey(chat) } : facts;
}

function noFacts(): Facts {
  return {};
}

const EXTRACTORS: ReadonlyMap<string, Extractor> = new Map<string, Extractor>([
  ["message", (m) => messageFacts(m, REGULAR)],
  ["edited_message", (m) => messageFacts(m, REGULAR)],
  ["channel_post", (m) => messageFacts(m, CHANNEL)],
  ["edited_channel_post", (m) => messageFacts(m, CHANNEL)],
  ["business_connection", businessConnectionFacts],
  ["business_message", (m) => messageFacts(m, BUSINESS)],
  ["edited_business_message", (m) => messageFacts(m, BUSINESS)],
  ["deleted_business_messages", deletedBusinessMessagesFacts],
  ["guest_message", (m) => messageFacts(m, GUEST)],
  ["stopped_message_generation", stoppedGenerationFacts],
  ["message_reaction", reactionFacts],
  ["message_reaction_count", chatOnlyFacts],
  ["inline_query", inlineQueryFacts],
  ["chosen_inline_result", fromFacts],
  ["callback_query", callbackQueryFacts],
  ["shipping_query", fromFacts],
  ["pre_checkout_query", fromFacts],
  ["purchased_paid_media", fromFacts],
  ["poll", noFacts],
  ["poll_answer", pollAnswerFacts],
  ["my_chat_member", memberFacts],
  ["chat_member", memberFacts],
  ["chat_join_request", memberFacts],
  ["chat_boost", boostFacts],
  ["removed_chat_boost", boostFacts],
  ["managed_bot", userFacts],
  ["subscription", userFacts],
]);

/** Every update type this code reads, e.g. for setWebhook's allowed_updates. */
export const KNOWN_UPDATE_TYPES: readonly string[] = [...EXTRACTORS.keys()];

// ---------------------------------------------------------------------------------------------
// Entry point.

export const UPDATE_NOT_OBJECT = "update must be a JSON object";
export const BAD_UPDATE_ID = "update_id must be a non-negative integer";
export const UNREADABLE_UPDATE = "update could not be read";

function readUpdateId(update: JsonObject): number | undefined {
  const id = getInteger(update, "update_id");
  return id !== undefined && id >= 0 ? id : undefined;
}

function extract(update: unknown): ExtractResult {
  if (!isObject(update)) return { error: UPDATE_NOT_OBJECT };
  const updateId = readUpdateId(update);
  if (updateId === undefined) return { error: BAD_UPDATE_ID };
  const keys = Object.keys(update).filter((key) => key !== "update_id");
  for (const type of keys) {
    const extractor = EXTRACTORS.get(type);
    if (extractor !== undefined) {
      return { ...compact(extractor(update[type])), updateId, type, known: true };
    }
  }
  const type = (keys[0] ?? "unknown").slice(0, MAX_TYPE_LENGTH);
  return { updateId, type, known: false };
}

/** Never throws: a webhook must answer 2xx or Telegram re-sends the update forever. */
export function extractUpdate(update: unknown): ExtractResult {
  try {
    return extract(update);
  } catch {
    // Only reachable through exotic inputs (proxies, throwing getters), never from JSON.parse.
    return { error: UNREADABLE_UPDATE };
  }
}
