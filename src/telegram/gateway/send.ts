import { tooManyRequests } from "./answers.ts";
import type { SendFacts } from "./methods.ts";
import type { SendSlot } from "./protocol.ts";
import type { BotSends } from "./sends.ts";
import { retryAfterMsOf } from "./upstream.ts";
import { waitUnlessAborted } from "./wait.ts";

export interface Turn {
  sends: BotSends;
  facts: SendFacts;
  /** The body is held whole, so the call may be sent a second time. */
  retryable: boolean;
  maxWaitMs: number;
  /** Aborts when the caller goes away. */
  signal: AbortSignal;
  /** Sends the call on and returns the answer to give the caller. */
  send: () => Promise<Response>;
  inBackground: (work: Promise<unknown>) => void;
  onUnavailable: (error: Error) => void;
}

/** Telegram's 429 without a retry_after: wait a second, as its smallest does. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * How long to wait now for a send time handed out. The object said how long from when it
 * decided, and the answer took part of the round trip to come back: what remains is the time
 * until its send time by this clock, kept within the round trip of the object's own count,
 * so that clocks that disagree can shift a send by no more than the round trip.
 */
function untilSendMs(slot: { waitMs: number; ticket: { atMs: number } }, askedAtMs: number) {
  const nowMs = Date.now();
  const roundTripMs = nowMs - askedAtMs;
  const byClock = slot.ticket.atMs - nowMs;
  return Math.min(slot.waitMs, Math.max(slot.waitMs - roundTripMs, byClock));
}

/** The caller went away; nobody reads this answer. */
const gone = () => new Response(null, { status: 499 });

/**
 * One sending call: waits for the time the bot's object hands out, sends, and on Telegram's
 * own 429 records the cooldown and, if the body can be sent again and the cooldown ends
 * within the call's wait bound, sends once more after it. A call past its wait bound is
 * answered 429 with `retry_after`, as Telegram would. A caller that goes away while waiting
 * gives its time back, and its call is never sent. When the bot's object cannot answer, the
 * call goes at once: Telegram still enforces its limits, as it would without the gateway.
 */
export async function sendInTurn(turn: Turn): Promise<Response> {
  const { sends, signal } = turn;
  const startedMs = Date.now();
  let slot: SendSlot;
  let askedAtMs = startedMs;
  try {
    slot = await sends.schedule(turn.facts, turn.maxWaitMs);
  } catch (error) {
    turn.onUnavailable(error as Error);
    return turn.send();
  }
  for (let attempt = 1; ; attempt++) {
    if (!slot.granted) return tooManyRequests(slot.retryAfterMs);
    if (!(await waitUnlessAborted(untilSendMs(slot, askedAtMs), signal))) {
      turn.inBackground(sends.cancel(slot.ticket));
      return gone();
    }
    const response = await turn.send();
    if (response.status !== 429) return response;
    const retryAfterMs = (await retryAfterMsOf(response)) ?? DEFAULT_RETRY_AFTER_MS;
    const leftMs = turn.maxWaitMs - (Date.now() - startedMs);
    const mayRetry = attempt === 1 && turn.retryable && leftMs >= retryAfterMs;
    let again: SendSlot | undefined;
    try {
      askedAtMs = Date.now();
      again = await sends.refused(slot.ticket, retryAfterMs, mayRetry ? leftMs : undefined);
    } catch (error) {
      turn.onUnavailable(error as Error);
    }
    // Telegram's own 429 goes back as it came when the call will not be sent again.
    if (again === undefined || !again.granted) return response;
    await response.body?.cancel();
    slot = again;
  }
}
