import { callObject } from "./calls.ts";
import type { LimiterObject } from "./object.ts";
import type {
  CheckItem,
  GrantItem,
  GroupCall,
  LeaseItem,
  RefundItem,
  TicketMark,
} from "./protocol.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";

/**
 * The subjects' Durable Objects, as the limiter calls them: each call within the time budget,
 * retried once where the runtime says it may be and a repeat cannot over-admit, and counted.
 */
export class SubjectObjects {
  /** Calls made by this isolate, for `GET /v1/stats` and the benchmarks. */
  calls = 0;
  /** How long one call may take, a retry included, before it counts as failed. */
  readonly budgetMs: number;
  private readonly namespace: DurableObjectNamespace<LimiterObject>;

  constructor(namespace: DurableObjectNamespace<LimiterObject>, budgetMs: number) {
    this.namespace = namespace;
    this.budgetMs = budgetMs;
  }

  check(subjectKey: string, items: CheckItem[], claimKey?: string, group?: GroupCall) {
    return this.call(subjectKey, (o) => o.check(PROTOCOL_VERSION, items, claimKey, group));
  }

  settleGroup(subjectKey: string, key: string, admitted: boolean, windowMs: number) {
    return this.call(subjectKey, (o) => o.settleGroup(PROTOCOL_VERSION, key, admitted, windowMs));
  }

  grant(subjectKey: string, item: GrantItem) {
    return this.call(subjectKey, (o) => o.grant(PROTOCOL_VERSION, item));
  }

  peek(subjectKey: string, items: CheckItem[]) {
    return this.call(subjectKey, (o) => o.peek(PROTOCOL_VERSION, items));
  }

  /** Never retried: a refund applied twice would hand out more than was taken. */
  refund(subjectKey: string, items: RefundItem[]) {
    return this.call(subjectKey, (o) => o.refund(PROTOCOL_VERSION, items), false);
  }

  /** Never retried: a retry of a refund that went through unseen would only say "used". */
  redeem(subjectKey: string, mark: TicketMark, items: RefundItem[]) {
    return this.call(subjectKey, (o) => o.redeem(PROTOCOL_VERSION, mark, items), false);
  }

  releaseClaim(subjectKey: string, claimKey: string) {
    return this.call(subjectKey, (o) => o.releaseClaim(PROTOCOL_VERSION, claimKey));
  }

  acquire(subjectKey: string, item: LeaseItem) {
    return this.call(subjectKey, (o) => o.acquire(PROTOCOL_VERSION, item));
  }

  release(subjectKey: string, item: LeaseItem) {
    return this.call(subjectKey, (o) => o.release(PROTOCOL_VERSION, item));
  }

  renew(subjectKey: string, item: LeaseItem, ttlSeconds: number) {
    return this.call(subjectKey, (o) => o.renew(PROTOCOL_VERSION, item, ttlSeconds));
  }

  reset(subjectKey: string, stateKeys: string[]) {
    return this.call(subjectKey, (o) => o.reset(PROTOCOL_VERSION, stateKeys));
  }

  private call<T>(
    subjectKey: string,
    fn: (stub: DurableObjectStub<LimiterObject>) => Promise<T>,
    retry = true,
  ): Promise<T> {
    this.calls++;
    const stub = this.namespace.getByName(subjectKey);
    return callObject(() => fn(stub), { budgetMs: this.budgetMs, retry });
  }
}
