import type { GatewayLimits } from "../../config/gateway.ts";
import { plannedPace, plannedWindow, type SendLimitsPlan } from "../../core/send-plan.ts";
import { callObject } from "../../limiter/calls.ts";
import type { SendFacts } from "./methods.ts";
import type { GatewayObject } from "./object.ts";
import { type SendSlot, type SendTicket, GATEWAY_PROTOCOL_VERSION as V } from "./protocol.ts";

/** Telegram's limit for sends with allow_paid_broadcast, for the whole bot. */
export const PAID_BROADCAST = { rate: 1000, per: 1 } as const;

export function planOf({ perChat, perGroup, perBot }: GatewayLimits): SendLimitsPlan {
  return {
    chat: plannedPace(perChat.rate, perChat.per, perChat.burst),
    group: plannedWindow(perGroup.rate, perGroup.per),
    bot: plannedWindow(perBot.rate, perBot.per, true),
    paid: plannedWindow(PAID_BROADCAST.rate, PAID_BROADCAST.per, true),
  };
}

/** The name of a bot's object: every isolate that sends for the bot asks the same one. */
export const botObjectName = (app: string, bot: string) => `${app}:GATEWAY:${bot}`;

/**
 * One bot's sends as the worker asks for them: each call within the limiter's time budget.
 * Only asking for a time is retried (a lost answer wastes a time, never sends twice); taking
 * one back or recording a 429 is not, since done twice it could give back another's.
 */
export class BotSends {
  private readonly stub: DurableObjectStub<GatewayObject>;
  private readonly limits: SendLimitsPlan;
  private readonly budgetMs: number;

  constructor(
    namespace: DurableObjectNamespace<GatewayObject>,
    objectName: string,
    limits: GatewayLimits,
    budgetMs: number,
  ) {
    this.stub = namespace.getByName(objectName);
    this.limits = planOf(limits);
    this.budgetMs = budgetMs;
  }

  schedule(facts: SendFacts, maxWaitMs: number): Promise<SendSlot> {
    const request = { ...facts, limits: this.limits, maxWaitMs };
    return this.call(async (): Promise<SendSlot> => await this.stub.schedule(V, request), true);
  }

  cancel(ticket: SendTicket): Promise<void> {
    return this.call(async () => {
      await this.stub.cancel(V, this.limits, ticket);
    }, false);
  }

  /** Records Telegram's 429; with `retryMaxWaitMs`, also asks for a time to send again. */
  refused(ticket: SendTicket, retryAfterMs: number, retryMaxWaitMs?: number) {
    const refusal = { limits: this.limits, retryAfterMs, retryMaxWaitMs };
    return this.call(
      async (): Promise<SendSlot | undefined> => await this.stub.refused(V, refusal, ticket),
      false,
    );
  }

  private call<T>(fn: () => Promise<T>, retry: boolean): Promise<T> {
    return callObject(fn, { budgetMs: this.budgetMs, retry });
  }
}
