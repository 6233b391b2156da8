// What the limiter reads out of an update (see ../extract.ts for how and why).

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
  /** The album a message belongs to (`media_group_id`): its updates count as one. */
  mediaGroupId?: string;
}

export type ExtractResult = UpdateFacts | { error: string };

export type Facts = Omit<UpdateFacts, "updateId" | "type" | "known">;
export type Extractor = (payload: unknown) => Facts;
export type JsonObject = Record<string, unknown>;

/** Unknown keys come from the sender; a bound keeps logs and metric labels sane. */
export const MAX_TYPE_LENGTH = 64;

/** Telegram's album ids are decimal strings of ~19 digits; a longer one is not trusted. */
export const MAX_MEDIA_GROUP_ID_LENGTH = 64;
