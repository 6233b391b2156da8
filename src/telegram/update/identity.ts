import type { ChatType, Facts } from "./facts.ts";
import { getInteger, getString } from "./read.ts";

// Identities. A safe integer prints as plain digits, so no key can hold ":" or grow long.

export type ChatPrefix = "" | "b" | "g";

export function idKey(prefix: string, id: number | undefined): string | undefined {
  return id === undefined ? undefined : `${prefix}${id}`;
}

export function userKey(user: unknown): string | undefined {
  return idKey("", getInteger(user, "id"));
}

/** A chat standing in for a person gets its own namespace, apart from user ids. */
export function actorChatKey(chat: unknown): string | undefined {
  return idKey("c", getInteger(chat, "id"));
}

/** The acting chat wins: when it is present, `from` is a placeholder bot, not the person. */
export function actorKey(actorChat: unknown, user: unknown): string | undefined {
  return actorChatKey(actorChat) ?? userKey(user);
}

export function chatKey(chat: unknown, prefix: ChatPrefix): string | undefined {
  return idKey(prefix, getInteger(chat, "id"));
}

const CHAT_TYPES: ReadonlySet<string> = new Set(["private", "group", "supergroup", "channel"]);

export function isChatType(value: string | undefined): value is ChatType {
  return value !== undefined && CHAT_TYPES.has(value);
}

export function chatTypeOf(chat: unknown): ChatType | undefined {
  const type = getString(chat, "type");
  return isChatType(type) ? type : undefined;
}

export function chatFacts(chat: unknown, prefix: ChatPrefix = ""): Facts {
  return { chatId: chatKey(chat, prefix), chatType: chatTypeOf(chat) };
}
