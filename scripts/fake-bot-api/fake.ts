// A fake Telegram Bot API server that counts like Telegram: per chat (a bucket of `burst`,
// `rate` every `per` seconds), per group (at most `rate` in any `per` seconds) and per bot (the
// same, or 1,000 a second for paid broadcasts), and answers 429 with `retry_after` past a
// limit, as Telegram does. It runs wherever `Request` and `Response` do: inside workerd for
// the tests (as the gateway's upstream), and under Node as a server (server.ts) for
// `npm run dev`, the end-to-end run and the benchmarks. It shares no code with the gateway,
// so it judges the gateway rather than agree with it.

export interface FakeLimits {
  perChat: { rate: number; per: number; burst: number };
  perGroup: { rate: number; per: number };
  perBot: { rate: number; per: number };
}

export const TELEGRAM_VALUES: FakeLimits = {
  perChat: { rate: 1, per: 1, burst: 1 },
  perGroup: { rate: 20, per: 60 },
  perBot: { rate: 30, per: 1 },
};
const PAID = { rate: 1000, per: 1 };

/** Every sending call the fake received, in the order it received them. */
export interface Received {
  method: string;
  chat?: string;
  text?: string;
  paid: boolean;
  cost: number;
  atMs: number;
  /** false when the fake answered 429. */
  accepted: boolean;
}

type Fields = Record<string, unknown>;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

async function fieldsOf(request: Request, files: number[]): Promise<Fields> {
  const fields: Fields = Object.fromEntries(new URL(request.url).searchParams);
  const type = request.headers.get("Content-Type") ?? "";
  if (request.method !== "POST") return fields;
  if (type.startsWith("application/json")) {
    const text = await request.text();
    return text === "" ? fields : { ...fields, ...(JSON.parse(text) as Fields) };
  }
  if (type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form")) {
    const form = await request.formData();
    const texts = new Map<string, number>();
    for (const [key, value] of form) {
      if (typeof value === "string") {
        fields[key] = value;
        texts.set(key, value.length);
      } else {
        fields[key] = "<file>";
        files.push(value.size);
      }
    }
    // workerd reads a file part whose filename is not quoted (grammY's) as text.
    for (const value of Object.values(fields)) {
      const attached = typeof value === "string" && /^attach:\/\/(.+)$/.exec(value)?.[1];
      if (attached) files.push(texts.get(attached) ?? -1);
    }
  }
  return fields;
}

const isSending = (method: string) =>
  (/^send/i.test(method) && !/^sendChatAction$/i.test(method)) ||
  /^(editMessage\w*|copyMessages?|forwardMessages?|stopMessageLiveLocation|stopPoll)$/i.test(
    method,
  );

function costOf(method: string, fields: Fields): number {
  const list = (value: unknown): unknown[] => {
    try {
      const parsed = typeof value === "string" ? JSON.parse(value) : value;
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  };
  if (/^sendMediaGroup$/i.test(method)) return Math.max(1, list(fields.media).length);
  if (/^(copy|forward)Messages$/i.test(method)) return Math.max(1, list(fields.message_ids).length);
  return 1;
}

export class FakeBotApi {
  readonly received: Received[] = [];
  /** The size in bytes of every file uploaded, accepted or not. */
  readonly files: number[] = [];
  private readonly token: string;
  private readonly limits: FakeLimits;
  private readonly clock: () => number;
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly groups = new Map<string, number[]>();
  private readonly bot: number[] = [];
  private readonly paid: number[] = [];
  private forced: { seconds: number; chat?: string } | undefined;
  private nextMessageId = 1;

  constructor(options: { token: string; limits?: FakeLimits; clock?: () => number }) {
    this.token = options.token;
    this.limits = options.limits ?? TELEGRAM_VALUES;
    this.clock = options.clock ?? Date.now;
  }

  /** The next send (to `chat`, if given) is refused with this retry_after, as Telegram may. */
  refuseNext(seconds: number, chat?: string): void {
    this.forced = { seconds, chat };
  }

  /**
   * Answers one Bot API request. `receivedAtMs` is when it arrived, which a server should
   * take before it reads the body: Telegram counts a send when it gets it.
   */
  fetch = async (request: Request, receivedAtMs = this.clock()): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (file) {
      if (file[1] !== this.token)
        return json({ ok: false, error_code: 401, description: "Unauthorized" }, 401);
      return new Response(`contents of ${file[2]}`, {
        headers: { "Content-Type": "application/octet-stream" },
      });
    }
    const call = /^\/bot([^/]+)\/([A-Za-z0-9_]+)$/.exec(path);
    if (!call) return json({ ok: false, error_code: 404, description: "Not Found" }, 404);
    if (call[1] !== this.token) {
      return json({ ok: false, error_code: 401, description: "Unauthorized" }, 401);
    }
    const method = call[2] as string;
    let fields: Fields;
    try {
      fields = await fieldsOf(request, this.files);
    } catch {
      return json(
        { ok: false, error_code: 400, description: "Bad Request: can't parse parameters" },
        400,
      );
    }
    if (isSending(method)) return this.send(method, fields, receivedAtMs);
    if (method === "getMe") {
      return json({
        ok: true,
        result: {
          id: Number(this.token.split(":")[0]),
          is_bot: true,
          first_name: "Fake",
          username: "FakeBot",
        },
      });
    }
    if (method === "getFile") {
      const id = String(fields.file_id);
      return json({
        ok: true,
        result: { file_id: id, file_unique_id: id, file_path: `documents/${id}.txt` },
      });
    }
    return json({ ok: true, result: true });
  };

  private send(method: string, fields: Fields, nowMs: number): Response {
    const chat = fields.chat_id === undefined ? undefined : String(fields.chat_id);
    const paid = fields.allow_paid_broadcast === true || fields.allow_paid_broadcast === "true";
    const cost = costOf(method, fields);
    const entry: Received = {
      method,
      chat,
      text: fields.text as string | undefined,
      paid,
      cost,
      atMs: nowMs,
      accepted: false,
    };
    this.received.push(entry);
    const forced = this.forced;
    if (forced !== undefined && (forced.chat === undefined || forced.chat === chat)) {
      this.forced = undefined;
      return this.tooMany(forced.seconds);
    }
    const waitMs = this.waitMs(chat, paid, cost, nowMs);
    if (waitMs > 0) return this.tooMany(Math.ceil(waitMs / 1000));
    this.count(chat, paid, cost, nowMs);
    entry.accepted = true;
    const message = (text?: unknown) => ({
      message_id: this.nextMessageId++,
      date: Math.floor(nowMs / 1000),
      chat: { id: Number(chat), type: chat?.startsWith("-") ? "supergroup" : "private" },
      ...(text === undefined ? {} : { text }),
    });
    if (cost > 1) return json({ ok: true, result: Array.from({ length: cost }, () => message()) });
    return json({ ok: true, result: message(fields.text) });
  }

  private tooMany(seconds: number): Response {
    return json(
      {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${seconds}`,
        parameters: { retry_after: seconds },
      },
      429,
    );
  }

  /** How long until every limit would take this send; 0 when they take it now. */
  private waitMs(chat: string | undefined, paid: boolean, cost: number, nowMs: number): number {
    const windowWait = (log: number[], rate: number, perMs: number) => {
      const live = log.filter((t) => t > nowMs - perMs);
      const over = live.length + Math.min(cost, rate) - rate;
      return over <= 0 ? 0 : (live[over - 1] as number) + perMs - nowMs;
    };
    const bot = paid ? PAID : this.limits.perBot;
    let wait = windowWait(paid ? this.paid : this.bot, bot.rate, bot.per * 1000);
    if (chat === undefined) return wait;
    const { rate, per, burst } = this.limits.perChat;
    const tokens = this.tokens(chat, nowMs);
    const need = Math.min(cost, burst);
    if (tokens < need) wait = Math.max(wait, ((need - tokens) * per * 1000) / rate);
    if (chat.startsWith("-") || chat.startsWith("@")) {
      const group = this.limits.perGroup;
      wait = Math.max(wait, windowWait(this.groups.get(chat) ?? [], group.rate, group.per * 1000));
    }
    return wait;
  }

  private tokens(chat: string, nowMs: number): number {
    const { rate, per, burst } = this.limits.perChat;
    const bucket = this.buckets.get(chat);
    if (bucket === undefined) return burst;
    return Math.min(burst, bucket.tokens + ((nowMs - bucket.atMs) * rate) / (per * 1000));
  }

  private count(chat: string | undefined, paid: boolean, cost: number, nowMs: number): void {
    const log = paid ? this.paid : this.bot;
    const max = paid ? PAID.rate : this.limits.perBot.rate;
    for (let i = 0; i < Math.min(cost, max); i++) log.push(nowMs);
    if (chat === undefined) return;
    this.buckets.set(chat, { tokens: this.tokens(chat, nowMs) - cost, atMs: nowMs });
    if (chat.startsWith("-") || chat.startsWith("@")) {
      const group = this.groups.get(chat) ?? [];
      for (let i = 0; i < Math.min(cost, this.limits.perGroup.rate); i++) group.push(nowMs);
      this.groups.set(chat, group);
    }
  }
}
