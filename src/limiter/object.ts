import { DurableObject } from "cloudflare:workers";
import { concurrencyAcquire, concurrencyRelease, concurrencyRenew } from "../core/concurrency.ts";
import { throttleGrant } from "../core/grant.ts";
import { refund } from "../core/limits.ts";
import type { ThrottleState } from "../core/throttle.ts";
import { carryOver, decideBatch, keepAdmission } from "./batch.ts";
import { LiveBuckets } from "./buckets.ts";
import {
  type AcquireOutcome,
  type BatchOutcome,
  type CheckItem,
  CLAIM_TTL_MS,
  type GrantItem,
  type GrantOutcome,
  type GroupCall,
  type LeaseItem,
  PROTOCOL_VERSION,
  type Redeemed,
  type RefundItem,
  type TicketMark,
} from "./protocol.ts";
import { type GroupVerdict, StateStore } from "./store.ts";

function speaks(version: number): void {
  if (version !== PROTOCOL_VERSION) {
    throw new Error(`limiter protocol ${version} called, this object speaks ${PROTOCOL_VERSION}`);
  }
}

/**
 * One object per rate-limit subject (`app:SCOPE:ids`), holding the states of every policy on
 * that subject. Each method runs to completion without an `await`, so the object's input
 * gate makes every call atomic: no other call can interleave between a read and its write.
 */
export class LimiterObject extends DurableObject<Env> {
  // Seams for tests and benchmarks, which reach inside with runInDurableObject (see
  // test/objects.ts). Instance fields, not prototype methods: another Worker holding a stub
  // can call prototype methods over RPC, and must not move this object's clock.
  private store!: StateStore;
  private clock: () => number = Date.now;
  private readonly buckets = new LiveBuckets();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.store = new StateStore(ctx.storage, await ctx.storage.getAlarm());
    });
  }

  /**
   * Decides every item; consumes only if every enforced item admits (all or nothing). With a
   * `claimKey`, decides at most once per key: the claim is stored in the same transaction as
   * the states, so a repeated key can never be counted twice. With a `group`, the group's
   * first update decides, and the rest take its verdict, consuming nothing.
   */
  check(version: number, items: CheckItem[], claimKey?: string, group?: GroupCall): BatchOutcome {
    speaks(version);
    const nowMs = this.clock();
    if (claimKey !== undefined) {
      if (this.store.has(claimKey, nowMs)) {
        return { admitted: false, duplicate: true, items: [] };
      }
      this.store.put(claimKey, { claimedAtMs: nowMs }, nowMs + CLAIM_TTL_MS, nowMs);
    }
    const verdict = group && this.store.claimed<GroupVerdict>(group.key, nowMs);
    if (verdict && verdict.admitted !== null) {
      return { admitted: verdict.admitted, group: "followed", items: [] };
    }
    const outcome = decideBatch(this.buckets, this.store, items, nowMs, true);
    if (group === undefined) return outcome;
    if (verdict) return { ...outcome, group: "busy" };
    // A denial here denies the whole check, so it is the verdict whatever else is called.
    const known = group.final || !outcome.admitted;
    const expiresAtMs = nowMs + group.windowMs;
    this.store.put(group.key, { admitted: known ? outcome.admitted : null }, expiresAtMs, nowMs);
    return { ...outcome, group: "led" };
  }

  /** What `check` would answer now, consuming and writing nothing. */
  peek(version: number, items: CheckItem[]): BatchOutcome {
    speaks(version);
    return decideBatch(this.buckets, this.store, items, this.clock(), false);
  }

  /**
   * Hands an isolate a batch of a leased throttle's tokens, consumed here as they are granted
   * and stored ahead like any admission; the isolate spends them within the lease's life.
   */
  grant(version: number, item: GrantItem): GrantOutcome {
    speaks(version);
    const nowMs = this.clock();
    carryOver(this.store, item, nowMs);
    const state = this.store.get(item.stateKey) as ThrottleState | undefined;
    const g = throttleGrant(item.limit, state, item.want, item.cost, nowMs);
    if (g.granted > 0) keepAdmission(this.store, item, g.next, g.recoverAtMs, nowMs);
    const { granted, retryAfterMs, remaining, resetMs } = g;
    return { granted, retryAfterMs, quota: item.limit.capacity, remaining, resetMs };
  }

  /** Keeps the verdict a group's first update came to across several objects. */
  settleGroup(version: number, key: string, admitted: boolean, windowMs: number): void {
    speaks(version);
    const nowMs = this.clock();
    this.store.put(key, { admitted }, nowMs + windowMs, nowMs);
  }

  /** Gives back what an earlier check consumed, when another object denied the same check. */
  refund(version: number, items: RefundItem[]): void {
    speaks(version);
    this.giveBack(items, this.clock());
  }

  /**
   * Redeems a refund ticket's part in this object, at most once: its mark is kept until the
   * ticket expires, written in the same transaction as the refund. Expiry is judged by the
   * clock that judges the mark, so no clock skew lets a ticket outlive its mark.
   */
  redeem(version: number, mark: TicketMark, items: RefundItem[]): Redeemed {
    speaks(version);
    const nowMs = this.clock();
    if (nowMs >= mark.expiresAtMs) return "expired";
    if (this.store.has(mark.key, nowMs)) return "used";
    this.store.put(mark.key, { claimedAtMs: nowMs }, mark.expiresAtMs, nowMs);
    this.giveBack(items, nowMs);
    return "refunded";
  }

  private giveBack(items: RefundItem[], nowMs: number): void {
    for (const item of items) {
      const state = this.store.get(item.stateKey);
      this.store.replace(item.stateKey, refund(item.limit, state, item.receipt, nowMs), nowMs);
    }
  }

  acquire(version: number, item: LeaseItem): AcquireOutcome {
    speaks(version);
    const nowMs = this.clock();
    const full =
      item.perBucket && this.buckets.refuse(this.store, item.stateKey, item.perBucket, nowMs);
    if (full) {
      const { maxLeases } = item.limit;
      return { acquired: false, quota: maxLeases, remaining: 0, ...full, bucketsFull: true };
    }
    const state = this.store.get(item.stateKey);
    const decision = concurrencyAcquire(item.limit, state as never, item.leaseId, nowMs);
    if (decision.allowed) {
      this.store.put(item.stateKey, decision.next, decision.recoverAtMs, nowMs);
    } else {
      this.store.extendRecovery(item.stateKey, decision.recoverAtMs, nowMs);
    }
    return {
      acquired: decision.allowed,
      quota: decision.quota,
      remaining: decision.remaining,
      retryAfterMs: decision.retryAfterMs,
      expiresAtMs: decision.expiresAtMs,
    };
  }

  release(version: number, item: LeaseItem): boolean {
    speaks(version);
    const nowMs = this.clock();
    const state = this.store.get(item.stateKey);
    const outcome = concurrencyRelease(item.limit, state as never, item.leaseId, nowMs);
    if (outcome.released) this.store.put(item.stateKey, outcome.next, outcome.recoverAtMs, nowMs);
    return outcome.released;
  }

  /** Extends a live lease; its new expiry, or undefined for a lease no longer held. */
  renew(version: number, item: LeaseItem, ttlSeconds: number): number | undefined {
    speaks(version);
    const nowMs = this.clock();
    const state = this.store.get(item.stateKey);
    const outcome = concurrencyRenew(item.limit, state as never, item.leaseId, ttlSeconds, nowMs);
    if (outcome.expiresAtMs !== undefined) {
      this.store.put(item.stateKey, outcome.next, outcome.recoverAtMs, nowMs);
    }
    return outcome.expiresAtMs;
  }

  /** Forgets a claim, so a retry of the same update is decided afresh. */
  releaseClaim(version: number, claimKey: string): void {
    speaks(version);
    this.store.delete(claimKey);
  }

  reset(version: number, stateKeys: string[]): void {
    speaks(version);
    for (const key of stateKeys) this.store.delete(key);
  }

  override alarm(): void {
    this.store.sweep(this.clock());
  }
}
