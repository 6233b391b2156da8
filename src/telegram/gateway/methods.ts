/**
 * The Bot API methods that post or change a message in a chat, which Telegram's flood limits
 * count: every method whose name begins with `send` (sendMessage, sendPhoto, sendMediaGroup,
 * sendPoll, sendInvoice, ...) but sendChatAction, which shows "typing…" and posts nothing;
 * every `editMessage…`; copyMessage(s), forwardMessage(s), stopMessageLiveLocation and
 * stopPoll. Method names are case-insensitive to the Bot API, and so here.
 */
const NAMED = new Set([
  "copymessage",
  "copymessages",
  "forwardmessage",
  "forwardmessages",
  "stopmessagelivelocation",
  "stoppoll",
]);

export function isSending(method: string): boolean {
  const name = method.toLowerCase();
  if (name === "sendchataction") return false;
  return name.startsWith("send") || name.startsWith("editmessage") || NAMED.has(name);
}

/** What the limits need to know of one sending call. */
export interface SendFacts {
  /** `chat_id` as one spelling: a number without leading zeros, or a lower-case @username. */
  chat?: string | undefined;
  /** Negative ids and @usernames are groups, supergroups and channels. */
  group: boolean;
  paid: boolean;
  cost: number;
}

function chatOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^-?[1-9][0-9]{0,19}$/.test(text)) return text;
  if (/^@[A-Za-z0-9_]{1,64}$/.test(text)) return text.toLowerCase();
  return undefined;
}

/** An array, or an array sent as JSON text (form and multipart bodies). */
function lengthOf(value: unknown): number | undefined {
  let list = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return Array.isArray(list) ? list.length : undefined;
}

const isTrue = (value: unknown) =>
  value === true || (typeof value === "string" && ["true", "1"].includes(value.toLowerCase()));

/**
 * Messages a call sends: an album's items, the ids copied or forwarded at once, else 1.
 * Bounded by what Telegram accepts (10 items, 100 ids).
 */
function costOf(method: string, fields: Record<string, unknown>): number {
  const name = method.toLowerCase();
  const many =
    name === "sendmediagroup"
      ? { count: lengthOf(fields.media), most: 10 }
      : name === "copymessages" || name === "forwardmessages"
        ? { count: lengthOf(fields.message_ids), most: 100 }
        : undefined;
  if (many?.count === undefined) return 1;
  return Math.min(Math.max(1, many.count), many.most);
}

export function sendFacts(method: string, fields: Record<string, unknown>): SendFacts {
  const chat = chatOf(fields.chat_id);
  return {
    chat,
    group: chat !== undefined && (chat.startsWith("-") || chat.startsWith("@")),
    paid: isTrue(fields.allow_paid_broadcast),
    cost: costOf(method, fields),
  };
}
