import {
  addSends,
  earliestInWindow,
  forgetBefore,
  lastSend,
  type SendLog,
  type SendWindow,
} from "./send-window.ts";

/**
 * Sends that reach the server up to this much later than planned still keep every limit:
 * each limit is planned over its period plus this margin. A send leaves when its time comes
 * and arrives after network and timer delays that differ from send to send.
 */
export const JITTER_MARGIN_MS = 100;
/** Sends to one chat are at least this far apart, so that they arrive in the order given. */
export const ORDER_GAP_MS = 50;
/**
 * A send due soon after its call may leave late: the worker that takes a burst of calls in is
 * busy, and connections open (on loopback 100-300 ms late on a loaded machine, against a few
 * ms for sends that waited; a TLS handshake adds more). A send due within this long of its
 * call is counted this long after the call; one with time to wait leaves on time.
 */
export const SETTLE_MS = 500;

/** When the limits count a send due at `atMs` that was planned at `nowMs`. */
export const countedAt = (atMs: number, nowMs: number) => Math.max(atMs, nowMs + SETTLE_MS);
/** Telegram refusing this many chats at once means the bot, not a chat, hit a limit. */
export const WIDEN_AFTER_CHATS = 3;
/** Refused chats remembered at once; past the widening point more add nothing. */
const MAX_COOLING_CHATS = 64;

/** One chat's pace: a bucket of `burst` sends, one more every `intervalMs`. */
export interface ChatPace {
  intervalMs: number;
  burst: number;
}

export interface SendLimitsPlan {
  chat: ChatPace;
  group: SendWindow;
  bot: SendWindow;
  /** Sends with allow_paid_broadcast count here instead of in `bot`. */
  paid: SendWindow;
}

/** The most a paced limit spaces its sends: a stream, not a queue. */
export const MAX_SPACING_MS = 100;

/**
 * A limit of `rate` every `perSeconds`, as planned: over its period plus the jitter margin.
 * A paced one also spaces its sends by its period over its rate (at most MAX_SPACING_MS), so
 * that a burst leaves as a stream: a worker that wakes many sends at one instant sends the
 * last of them late, and a late send crowds into the next window.
 */
export function plannedWindow(rate: number, perSeconds: number, paced = false): SendWindow {
  const windowMs = perSeconds * 1000 + JITTER_MARGIN_MS;
  const window: SendWindow = { max: rate, windowMs };
  if (paced) window.spacingMs = Math.min(MAX_SPACING_MS, Math.floor(windowMs / rate));
  return window;
}

export function plannedPace(rate: number, perSeconds: number, burst: number): ChatPace {
  return { intervalMs: Math.ceil((perSeconds * 1000 + JITTER_MARGIN_MS) / rate), burst };
}

export interface ChatState {
  /** The chat's bucket is full again from this time on (the GCRA's theoretical arrival). */
  fullAtMs: number;
  /** The latest send time handed out to the chat; the next one comes after it. */
  lastAtMs: number;
  /** A group's sends, for its sliding count. */
  log?: SendLog;
  /** Telegram refused a send to this chat until then. */
  cooldownUntilMs?: number;
}

export interface SendCall {
  /** The chat the call names, when it names one; groups also count in their window. */
  chat?: { state: ChatState | undefined; group: boolean };
  paid: boolean;
  /** Messages the call sends (an album's items, the ids copied); 1 for most. */
  cost: number;
  /** No earlier than this: now, or the end of a cooldown. */
  fromMs: number;
}

/** What counts against the whole bot: its logs, and the time before which it may not send. */
export interface BotSchedule {
  log: SendLog;
  paidLog: SendLog;
  notBeforeMs: number;
}

/** The earliest time the chat's own limits let `cost` more sends go, in order. */
function chatEarliest(pace: ChatPace, state: ChatState | undefined, fromMs: number, cost: number) {
  if (state === undefined) return fromMs;
  const bucketMs = state.fullAtMs - (pace.burst - Math.min(cost, pace.burst)) * pace.intervalMs;
  return Math.max(fromMs, state.lastAtMs + ORDER_GAP_MS, bucketMs, state.cooldownUntilMs ?? 0);
}

/**
 * The earliest time a call may be sent under every limit that applies to it. Each limit lets
 * a call go at any time after one it lets go (the chat's own sends all lie before its next),
 * except the bot's window, which is searched last, so the time found keeps them all.
 */
export function earliestSend(limits: SendLimitsPlan, call: SendCall, bot: BotSchedule): number {
  let atMs = Math.max(call.fromMs, bot.notBeforeMs);
  const chat = call.chat;
  if (chat !== undefined) {
    atMs = chatEarliest(limits.chat, chat.state, atMs, call.cost);
    if (chat.group) atMs = earliestInWindow(chat.state?.log ?? [], limits.group, atMs, call.cost);
  }
  return call.paid
    ? earliestInWindow(bot.paidLog, limits.paid, atMs, call.cost)
    : earliestInWindow(bot.log, limits.bot, atMs, call.cost);
}

/** The chat after a send at `atMs`, and when it is indistinguishable from a fresh one. */
export function chatAfterSend(
  limits: SendLimitsPlan,
  state: ChatState | undefined,
  group: boolean,
  atMs: number,
  cost: number,
  nowMs: number,
): { state: ChatState; recoverAtMs: number } {
  const fullAtMs = Math.max(atMs, state?.fullAtMs ?? 0) + cost * limits.chat.intervalMs;
  const next: ChatState = { fullAtMs, lastAtMs: atMs };
  if (state?.cooldownUntilMs !== undefined && state.cooldownUntilMs > nowMs) {
    next.cooldownUntilMs = state.cooldownUntilMs;
  }
  if (group) {
    const log = [...(state?.log ?? [])];
    forgetBefore(log, limits.group, nowMs);
    addSends(log, limits.group, atMs, cost);
    next.log = log;
  }
  return { state: next, recoverAtMs: chatRecoversAt(limits, next) };
}

/** When a chat's state no longer holds back any send. */
export function chatRecoversAt(limits: SendLimitsPlan, state: ChatState): number {
  const lastLogged = state.log === undefined ? undefined : lastSend(state.log);
  return Math.max(
    state.fullAtMs,
    state.lastAtMs + ORDER_GAP_MS,
    lastLogged === undefined ? 0 : lastLogged + limits.group.windowMs,
    state.cooldownUntilMs ?? 0,
  );
}

/** Chats Telegram refused with 429, each with the end of its cooldown. */
export type CoolingChats = Record<string, number>;

/**
 * Telegram's 429 does not say whether the chat or the whole bot hit a limit. It counts for
 * the chat the call named; when it is the third chat cooling down at once, for the bot, until
 * the latest of those cooldowns ends. A call that names no chat (an inline message's edit)
 * can only have hit the bot's limit.
 */
export function recordRefusal(
  cooling: CoolingChats,
  chat: string | undefined,
  untilMs: number,
  nowMs: number,
): { cooling: CoolingChats; botUntilMs?: number } {
  if (chat === undefined) return { cooling, botUntilMs: untilMs };
  const entries = Object.entries(cooling).filter(([id, endMs]) => endMs > nowMs && id !== chat);
  entries.push([chat, Math.max(untilMs, cooling[chat] ?? 0)]);
  entries.sort((a, b) => b[1] - a[1]);
  const kept = Object.fromEntries(entries.slice(0, MAX_COOLING_CHATS));
  if (entries.length < WIDEN_AFTER_CHATS) return { cooling: kept };
  return { cooling: kept, botUntilMs: entries[0]?.[1] as number };
}
