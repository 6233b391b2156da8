import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BotSchedule,
  type ChatState,
  chatAfterSend,
  countedAt,
  earliestSend,
  JITTER_MARGIN_MS as M,
  MAX_SPACING_MS,
  ORDER_GAP_MS,
  plannedPace,
  plannedWindow,
  recordRefusal,
  type SendLimitsPlan,
} from "../../src/core/send-plan.ts";
import { addSends } from "../../src/core/send-window.ts";

function limits(
  chat = { rate: 1, per: 1, burst: 1 },
  group = { rate: 20, per: 60 },
  bot = { rate: 30, per: 1 },
): SendLimitsPlan {
  return {
    chat: plannedPace(chat.rate, chat.per, chat.burst),
    group: plannedWindow(group.rate, group.per),
    bot: plannedWindow(bot.rate, bot.per),
    paid: plannedWindow(1000, 1),
  };
}

const freshBot = (): BotSchedule => ({ log: [], paidLog: [], notBeforeMs: 0 });

/** A scheduler over the pure plan, as the bot's object drives it. */
function scheduler(plan: SendLimitsPlan) {
  const bot = freshBot();
  const chats = new Map<string, ChatState>();
  return {
    bot,
    chats,
    send(chat: string | undefined, options: { fromMs: number; cost?: number; paid?: boolean }) {
      const cost = options.cost ?? 1;
      const paid = options.paid ?? false;
      const group = chat?.startsWith("-") ?? false;
      const state = chat === undefined ? undefined : chats.get(chat);
      const call = {
        chat: chat === undefined ? undefined : { state, group },
        paid,
        cost,
        fromMs: options.fromMs,
      };
      const at = earliestSend(plan, call, bot);
      if (chat !== undefined)
        chats.set(chat, chatAfterSend(plan, state, group, at, cost, options.fromMs).state);
      addSends(paid ? bot.paidLog : bot.log, paid ? plan.paid : plan.bot, at, cost);
      return at;
    },
  };
}

describe("planning one send", () => {
  it("paces a private chat at one a second, with Telegram's values and the jitter margin", () => {
    const s = scheduler(limits());
    expect([0, 0, 0].map(() => s.send("42", { fromMs: 0 }))).toEqual([0, 1_000 + M, 2_000 + 2 * M]);
    expect(s.send("43", { fromMs: 0 })).toBe(0);
  });

  it("lets a burst go at once, its sends apart by the order gap, then the rate", () => {
    const s = scheduler(limits({ rate: 1, per: 1, burst: 3 }));
    const times = [0, 0, 0, 0].map(() => s.send("42", { fromMs: 0 }));
    expect(times).toEqual([0, ORDER_GAP_MS, 2 * ORDER_GAP_MS, 1_000 + M]);
  });

  it("holds a group to its sliding count as well as to its chat's pace", () => {
    const s = scheduler(limits({ rate: 10, per: 1, burst: 10 }, { rate: 3, per: 10 }));
    const times = [0, 0, 0, 0].map(() => s.send("-100", { fromMs: 0 }));
    expect(times).toEqual([0, ORDER_GAP_MS, 2 * ORDER_GAP_MS, 10_000 + M]);
  });

  it("spreads the whole bot's sends by its own window, and paid broadcasts by theirs", () => {
    const s = scheduler(limits(undefined, undefined, { rate: 2, per: 1 }));
    const chats = ["1", "2", "3", "4", "5"];
    const second = 1_000 + M;
    expect(chats.map((chat) => s.send(chat, { fromMs: 0 }))).toEqual([
      0,
      0,
      second,
      second,
      2 * second,
    ]);
    expect(["6", "7", "8"].map((chat) => s.send(chat, { fromMs: 0, paid: true }))).toEqual([
      0, 0, 0,
    ]);
  });

  it("waits out a cooldown, the chat's or the bot's", () => {
    const plan = limits();
    const cooled: ChatState = { fullAtMs: 0, lastAtMs: -1_000, cooldownUntilMs: 7_000 };
    expect(
      earliestSend(
        plan,
        { chat: { state: cooled, group: false }, paid: false, cost: 1, fromMs: 0 },
        freshBot(),
      ),
    ).toBe(7_000);
    const bot = { ...freshBot(), notBeforeMs: 9_000 };
    expect(earliestSend(plan, { paid: false, cost: 1, fromMs: 0 }, bot)).toBe(9_000);
  });

  it("keeps every limit and the order per chat, whatever the calls", () => {
    const call = fc.record({
      chat: fc.constantFrom("1", "2", "3", "-10", "-20"),
      gapMs: fc.integer({ min: 0, max: 400 }),
      cost: fc.integer({ min: 1, max: 3 }),
      paid: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.record({
          rate: fc.integer({ min: 1, max: 4 }),
          per: fc.integer({ min: 1, max: 2 }),
          extra: fc.integer({ min: 0, max: 2 }),
        }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(call, { maxLength: 60 }),
        (chat, groupRate, calls) => {
          const groupLimit = { rate: groupRate, per: 3 };
          const botLimit = { rate: 4, per: 1 };
          const s = scheduler(
            limits(
              { rate: chat.rate, per: chat.per, burst: chat.rate + chat.extra },
              groupLimit,
              botLimit,
            ),
          );
          let nowMs = 0;
          const sent: { chat: string; at: number; cost: number; paid: boolean }[] = [];
          for (const c of calls) {
            nowMs += c.gapMs;
            sent.push({
              chat: c.chat,
              at: s.send(c.chat, { fromMs: nowMs, cost: c.cost, paid: c.paid }),
              cost: c.cost,
              paid: c.paid,
            });
          }
          const inWindow = (list: typeof sent, max: number, perMs: number) => {
            for (const { at: start } of list) {
              const held = list
                .filter((x) => x.at >= start && x.at < start + perMs)
                .reduce((n, x) => n + Math.min(x.cost, max), 0);
              expect(held).toBeLessThanOrEqual(max);
            }
          };
          inWindow(
            sent.filter((x) => !x.paid),
            botLimit.rate,
            botLimit.per * 1000,
          );
          for (const id of ["1", "2", "3", "-10", "-20"]) {
            const mine = sent.filter((x) => x.chat === id);
            // In the order called, each after the previous.
            for (let i = 1; i < mine.length; i++)
              expect(mine[i]?.at).toBeGreaterThan(mine[i - 1]?.at as number);
            if (id.startsWith("-")) inWindow(mine, groupLimit.rate, groupLimit.per * 1000);
            // Telegram's own bucket, unmargined: never short of a token.
            const burst = chat.rate + chat.extra;
            let tokens = burst;
            let lastMs = 0;
            for (const x of mine) {
              tokens = Math.min(burst, tokens + ((x.at - lastMs) * chat.rate) / (chat.per * 1000));
              lastMs = x.at;
              expect(tokens).toBeGreaterThanOrEqual(Math.min(x.cost, burst) - 1e-9);
              tokens -= x.cost;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("pacing the whole bot", () => {
  it("spaces a burst by the period over the rate, at most MAX_SPACING_MS", () => {
    const paced = plannedWindow(30, 1, true);
    expect(paced.spacingMs).toBe(Math.floor((1_000 + M) / 30));
    expect(plannedWindow(2, 60, true).spacingMs).toBe(MAX_SPACING_MS);
    const plan = { ...limits(), bot: paced };
    const bot = freshBot();
    const times = [1, 2, 3].map(() => {
      const at = earliestSend(
        plan,
        { chat: { state: undefined, group: false }, paid: false, cost: 1, fromMs: 0 },
        bot,
      );
      addSends(bot.log, paced, at, 1);
      return at;
    });
    expect(times).toEqual([0, paced.spacingMs, 2 * (paced.spacingMs as number)]);
  });

  it("counts a send due at once as leaving a while after its call, one with time to wait as it leaves", () => {
    expect(countedAt(1_000, 1_000)).toBeGreaterThan(1_000);
    expect(countedAt(5_000, 1_000)).toBe(5_000);
  });
});

describe("Telegram's own 429", () => {
  it("cools the chat the call named, and the bot once three chats cool at once", () => {
    const first = recordRefusal({}, "1", 5_000, 0);
    expect(first).toEqual({ cooling: { "1": 5_000 } });
    const second = recordRefusal(first.cooling, "2", 4_000, 100);
    expect(second.botUntilMs).toBeUndefined();
    const third = recordRefusal(second.cooling, "3", 3_000, 200);
    expect(third.botUntilMs).toBe(5_000);
  });

  it("forgets cooldowns that ended, and cools the bot for a call that names no chat", () => {
    const { cooling } = recordRefusal({ "1": 1_000, "2": 1_000 }, "3", 9_000, 2_000);
    expect(cooling).toEqual({ "3": 9_000 });
    expect(recordRefusal({}, undefined, 4_000, 0)).toEqual({ cooling: {}, botUntilMs: 4_000 });
  });
});
