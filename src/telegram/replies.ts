import type { OnDeny } from "../config/telegram.ts";
import type { UpdateFacts } from "./extract.ts";

/** A Bot API call carried in the webhook answer; Telegram runs it, the result is never known. */
export type WebhookReply = Record<string, unknown> & { method: string };

export type DenyAnswer =
  | { kind: "drop" }
  | { kind: "reply"; reply: WebhookReply }
  /** A message notice, to send only if the subject has not had one this window. */
  | { kind: "notice"; reply: WebhookReply; everySeconds: number };

/**
 * What Telegram gets for a denied update. A button press is always answered, which also
 * stops its spinner; a message gets a notice at most once a window, so a flood of messages
 * does not become a flood of notices (and of our own sendMessage calls against Telegram's
 * ~1 message/s per chat limit).
 */
export function denyAnswer(onDeny: OnDeny, facts: UpdateFacts): DenyAnswer {
  if (onDeny === "drop") return { kind: "drop" };
  if (facts.callbackQueryId !== undefined) {
    return {
      kind: "reply",
      reply: {
        method: "answerCallbackQuery",
        callback_query_id: facts.callbackQueryId,
        text: onDeny.reply,
        show_alert: onDeny.showAlert,
      },
    };
  }
  if (facts.replyChatId !== undefined) {
    const reply: WebhookReply = {
      method: "sendMessage",
      chat_id: facts.replyChatId,
      text: onDeny.reply,
    };
    if (facts.businessConnectionId) reply.business_connection_id = facts.businessConnectionId;
    return { kind: "notice", reply, everySeconds: onDeny.noticeEverySeconds };
  }
  return { kind: "drop" };
}
