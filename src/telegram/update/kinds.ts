import { commandFacts } from "./command.ts";
import { type ChatType, type Extractor, type Facts, MAX_MEDIA_GROUP_ID_LENGTH } from "./facts.ts";
import { messageFingerprint, pollAnswerFingerprint } from "./fingerprint.ts";
import { actorKey, type ChatPrefix, chatFacts, idKey, isChatType, userKey } from "./identity.ts";
import { get, getInteger, getNonEmptyString, getString } from "./read.ts";

// Where each kind of update keeps its user, chat and content (FACTS.md has the table).

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
    mediaGroupId: mediaGroupIdOf(message),
  };
}

function mediaGroupIdOf(message: unknown): string | undefined {
  const id = getNonEmptyString(message, "media_group_id");
  return id !== undefined && id.length <= MAX_MEDIA_GROUP_ID_LENGTH ? id : undefined;
}

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

export const EXTRACTORS: ReadonlyMap<string, Extractor> = new Map<string, Extractor>([
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
