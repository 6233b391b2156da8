import { DurableObject } from "cloudflare:workers";
import {
  type BotSchedule,
  type ChatState,
  type CoolingChats,
  chatAfterSend,
  chatRecoversAt,
  countedAt,
  earliestSend,
  recordRefusal,
  type SendLimitsPlan,
} from "../../core/send-plan.ts";
import { addSends, forgetBefore, removeSends } from "../../core/send-window.ts";
import { StateStore } from "../../limiter/store.ts";
import {
  GATEWAY_PROTOCOL_VERSION,
  type Refusal,
  type SendRequest,
  type SendSlot,
  type SendTicket,
} from "./protocol.ts";

/** What the bot's object keeps of the whole bot beside its chats' rows. */
interface BotRow {
  /** No send logged so far shares a window with one at or after this time. */
  freeAtMs: number;
  /** Telegram refused the bot as a whole until then. */
  cooldownUntilMs: number;
  cooling: CoolingChats;
}

const BOT_KEY = "bot";

/**
 * The object's storage, whose writes do not hold its answers until they are durable. A
 * send time is kept only if it is on time: the runtime holds an answer until the writes
 * before it are flushed, one transaction after another, so in a burst of calls the last
 * answer would come a queue of flushes late and its send go late, into a later window. The
 * writes still land, in order, milliseconds later; an object lost in between forgets the last
 * times it handed out, and each of those chats may get one send early, which Telegram answers
 * with a 429 that the gateway records and waits out.
 */
function answeredBeforeDurable(storage: DurableObjectStorage): DurableObjectStorage {
  const unconfirmed = { allowUnconfirmed: true };
  const kv = {
    get: (key: string) => storage.kv.get(key),
    list: () => storage.kv.list(),
    put: (key: string, value: unknown) => void storage.put(key, value, unconfirmed),
    delete: (key: string) => {
      void storage.delete(key, unconfirmed);
      return true;
    },
  };
  const setAlarm = (atMs: number) => storage.setAlarm(atMs, unconfirmed);
  return { kv, setAlarm } as unknown as DurableObjectStorage;
}
const chatKey = (chat: string) => `chat:${chat}`;

function speaks(version: number): void {
  if (version !== GATEWAY_PROTOCOL_VERSION) {
    throw new Error(
      `gateway protocol ${version} called, this object speaks ${GATEWAY_PROTOCOL_VERSION}`,
    );
  }
}

/**
 * One object per bot, the one place its sends are counted: each chat's pace and each group's
 * sliding count (a row per chat), the bot's own counts, and Telegram's cooldowns. It hands out
 * send times and the worker waits for them: an object kept alive by timers is billed for it,
 * a worker that waits is not. Every method runs without an `await`, so no two calls
 * interleave, and writes through the synchronous KV API before it answers.
 *
 * The bot's counts of the last second are kept in memory only, and a restart forgets them;
 * what is stored is when they stop mattering (`freeAtMs`), and a new object hands out nothing
 * before then: a restart under load costs at most one wait bound of sends, never a limit.
 */
export class GatewayObject extends DurableObject<Env> {
  // Seams for tests, as in LimiterObject: instance fields, out of reach over RPC.
  private rows!: StateStore;
  private clock: () => number = Date.now;
  private readonly bot: Omit<BotSchedule, "notBeforeMs"> = { log: [], paidLog: [] };
  private botRow: BotRow = { freeAtMs: 0, cooldownUntilMs: 0, cooling: {} };
  private restartedFreeAtMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.rows = new StateStore(answeredBeforeDurable(ctx.storage), await ctx.storage.getAlarm());
      const row = this.rows.get(BOT_KEY) as unknown as BotRow | undefined;
      if (row !== undefined) {
        this.botRow = row;
        this.restartedFreeAtMs = row.freeAtMs;
      }
    });
  }

  /** A send time for one call, or a refusal if it would wait longer than it may. */
  schedule(version: number, request: SendRequest): SendSlot {
    speaks(version);
    return this.reserve(request, this.clock());
  }

  /** Takes back a send time whose caller went away: the call is never sent. */
  cancel(version: number, limits: SendLimitsPlan, ticket: SendTicket): void {
    speaks(version);
    const nowMs = this.clock();
    const window = ticket.paid ? limits.paid : limits.bot;
    const atMs = ticket.countedAtMs;
    removeSends(ticket.paid ? this.bot.paidLog : this.bot.log, window, atMs, ticket.cost);
    if (ticket.chat === undefined) return;
    const state = this.chat(ticket.chat);
    if (state === undefined) return;
    const next: ChatState = { ...state };
    if (ticket.group && state.log !== undefined) {
      next.log = [...state.log];
      removeSends(next.log, limits.group, atMs, ticket.cost);
    }
    // Only the chat's last send gives its pace back: one before it would let the next go
    // earlier than a send already handed out, out of order.
    if (state.lastAtMs === atMs && ticket.before !== undefined) {
      next.fullAtMs = ticket.before.fullAtMs;
      next.lastAtMs = ticket.before.lastAtMs;
    }
    const recoverAtMs = chatRecoversAt(limits, next);
    this.rows.put(
      chatKey(ticket.chat),
      recoverAtMs > nowMs ? (next as never) : undefined,
      recoverAtMs,
      nowMs,
    );
  }

  /**
   * Records Telegram's 429 as a cooldown (see recordRefusal for its scope) and, when the call
   * may be sent again, hands out a time after the cooldown.
   */
  refused(version: number, refusal: Refusal, ticket: SendTicket): SendSlot | undefined {
    speaks(version);
    const nowMs = this.clock();
    const untilMs = nowMs + refusal.retryAfterMs;
    if (ticket.chat !== undefined) {
      const state = this.chat(ticket.chat) ?? { fullAtMs: 0, lastAtMs: 0 };
      const next = { ...state, cooldownUntilMs: Math.max(state.cooldownUntilMs ?? 0, untilMs) };
      this.rows.put(
        chatKey(ticket.chat),
        next as never,
        chatRecoversAt(refusal.limits, next),
        nowMs,
      );
    }
    const { cooling, botUntilMs } = recordRefusal(this.botRow.cooling, ticket.chat, untilMs, nowMs);
    this.botRow.cooling = cooling;
    if (botUntilMs !== undefined) {
      this.botRow.cooldownUntilMs = Math.max(this.botRow.cooldownUntilMs, botUntilMs);
    }
    this.saveBot(nowMs);
    if (refusal.retryMaxWaitMs === undefined) return undefined;
    const { chat, group, paid, cost } = ticket;
    return this.reserve(
      { limits: refusal.limits, chat, group, paid, cost, maxWaitMs: refusal.retryMaxWaitMs },
      nowMs,
    );
  }

  override alarm(): void {
    this.rows.sweep(this.clock());
  }

  private chat(chat: string): ChatState | undefined {
    return this.rows.get(chatKey(chat)) as unknown as ChatState | undefined;
  }

  private reserve(request: SendRequest, nowMs: number): SendSlot {
    const { limits, chat, group, paid, cost } = request;
    forgetBefore(this.bot.log, limits.bot, nowMs);
    forgetBefore(this.bot.paidLog, limits.paid, nowMs);
    const state = chat === undefined ? undefined : this.chat(chat);
    const notBeforeMs = Math.max(this.restartedFreeAtMs, this.botRow.cooldownUntilMs);
    const atMs = earliestSend(
      limits,
      { chat: chat === undefined ? undefined : { state, group }, paid, cost, fromMs: nowMs },
      { ...this.bot, notBeforeMs },
    );
    if (atMs > nowMs + request.maxWaitMs) return { granted: false, retryAfterMs: atMs - nowMs };
    const countedAtMs = countedAt(atMs, nowMs);
    let before: SendTicket["before"];
    if (chat !== undefined) {
      before = { fullAtMs: state?.fullAtMs ?? 0, lastAtMs: state?.lastAtMs ?? 0 };
      const next = chatAfterSend(limits, state, group, countedAtMs, cost, nowMs);
      this.rows.put(chatKey(chat), next.state as never, next.recoverAtMs, nowMs);
    }
    const window = paid ? limits.paid : limits.bot;
    addSends(paid ? this.bot.paidLog : this.bot.log, window, countedAtMs, cost);
    this.botRow.freeAtMs = Math.max(this.botRow.freeAtMs, countedAtMs + window.windowMs);
    this.saveBot(nowMs);
    const ticket = { chat, group, paid, cost, atMs, countedAtMs, before };
    return { granted: true, waitMs: atMs - nowMs, ticket };
  }

  private saveBot(nowMs: number): void {
    const row = this.botRow;
    const recoverAtMs = Math.max(row.freeAtMs, row.cooldownUntilMs, ...Object.values(row.cooling));
    this.rows.put(BOT_KEY, recoverAtMs > nowMs ? (row as never) : undefined, recoverAtMs, nowMs);
  }
}
