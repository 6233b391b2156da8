import { DurableObject } from "cloudflare:workers";
import type { AuditEntry, BlockRule, Door, OverrideRule } from "../client/types.ts";
import type { RulesSnapshot } from "./rule-set.ts";

/** Blocks and overrides in force at once; a change past it is refused with 409. */
export const MAX_RULES = 10_000;
/** Rules naming a CIDR prefix, which every check carrying an address is tested against. */
export const MAX_PREFIX_RULES = 256;
/** Changes kept in the audit log; older ones drop off. */
export const MAX_AUDIT_ENTRIES = 1_000;

export type Refusal = { refused: string };

const isPrefix = (rule: { ip?: string }) => rule.ip?.includes("/") === true;
const sameIdentity = (a: OverrideRule, b: OverrideRule) =>
  a.policy === b.policy &&
  a.user === b.user &&
  a.chat === b.chat &&
  a.ip === b.ip &&
  a.key === b.key;

/**
 * The deployment's runtime rules, in one object of their own: blocks, overrides, and the log
 * of every change. Rules live in memory and in storage, written without an `await`, so a
 * restart or a deploy keeps them. Isolates fetch a snapshot when theirs is older than the
 * refresh bound; `version` tells them whether anything changed.
 */
export class RulesObject extends DurableObject<Env> {
  private readonly blocks = new Map<string, BlockRule>();
  private readonly overrides = new Map<string, OverrideRule>();
  private version = 0;
  private auditSeq = 0;
  /** The soonest a rule expires: until then a purge has nothing to do. */
  private nextExpiryMs = Infinity;
  // A seam for tests, reached with runInDurableObject; not callable over RPC.
  private clock: () => number = Date.now;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      const kv = ctx.storage.kv;
      for (const [key, rule] of kv.list<BlockRule>({ prefix: "block:" })) {
        this.blocks.set(key.slice(6), rule as BlockRule);
      }
      for (const [key, rule] of kv.list<OverrideRule>({ prefix: "override:" })) {
        this.overrides.set(key.slice(9), rule as OverrideRule);
      }
      const meta = kv.get<{ version: number; auditSeq: number }>("meta");
      this.version = meta?.version ?? 0;
      this.auditSeq = meta?.auditSeq ?? 0;
      this.nextExpiryMs = 0;
    });
  }

  /** The rules in force, or only the version when the caller's copy is current. */
  snapshot(knownVersion?: number): RulesSnapshot | { version: number; unchanged: true } {
    this.purgeExpired();
    if (knownVersion === this.version) return { version: this.version, unchanged: true };
    return {
      version: this.version,
      blocks: [...this.blocks.values()],
      overrides: [...this.overrides.values()],
    };
  }

  addBlock(rule: BlockRule): BlockRule | Refusal {
    this.purgeExpired();
    const refusal = this.room(rule, undefined);
    if (refusal) return refusal;
    this.blocks.set(rule.id, rule);
    this.ctx.storage.kv.put(`block:${rule.id}`, rule);
    this.expiresAt(rule.expiresAt);
    this.changed({
      at: rule.createdAt,
      door: rule.door,
      action: "block",
      rule,
      reason: rule.reason,
    });
    return rule;
  }

  removeBlock(id: string, door: Door): boolean {
    this.purgeExpired();
    const rule = this.blocks.get(id);
    if (rule === undefined) return false;
    this.blocks.delete(id);
    this.ctx.storage.kv.delete(`block:${id}`);
    this.changed({ at: this.clock(), door, action: "unblock", rule });
    return true;
  }

  /** Creates the override for its policy and identity, or replaces it (keeping its id). */
  putOverride(rule: OverrideRule): OverrideRule | Refusal {
    this.purgeExpired();
    const existing = [...this.overrides.values()].find((other) => sameIdentity(other, rule));
    const refusal = this.room(rule, existing);
    if (refusal) return refusal;
    const stored = { ...rule, id: existing?.id ?? rule.id };
    this.overrides.set(stored.id, stored);
    this.ctx.storage.kv.put(`override:${stored.id}`, stored);
    this.expiresAt(stored.expiresAt);
    this.changed({
      at: stored.createdAt,
      door: stored.door,
      action: "override",
      rule: stored,
      reason: stored.reason,
    });
    return stored;
  }

  removeOverride(id: string, door: Door): boolean {
    this.purgeExpired();
    const rule = this.overrides.get(id);
    if (rule === undefined) return false;
    this.overrides.delete(id);
    this.ctx.storage.kv.delete(`override:${id}`);
    this.changed({ at: this.clock(), door, action: "remove-override", rule });
    return true;
  }

  /** The most recent changes first. */
  audit(limit: number): AuditEntry[] {
    const entries = this.ctx.storage.kv.list<AuditEntry>({
      prefix: "audit:",
      reverse: true,
      limit,
    });
    return [...entries].map(([, entry]) => entry as AuditEntry);
  }

  private room(
    rule: BlockRule | OverrideRule,
    replacing: OverrideRule | undefined,
  ): Refusal | undefined {
    const all = [...this.blocks.values(), ...this.overrides.values()];
    const growth = replacing ? 0 : 1;
    if (all.length + growth > MAX_RULES) {
      return { refused: `at most ${MAX_RULES} rules can be in force; remove some first` };
    }
    const prefixes = all.filter(isPrefix).length - (replacing && isPrefix(replacing) ? 1 : 0);
    if (isPrefix(rule) && prefixes + 1 > MAX_PREFIX_RULES) {
      return {
        refused: `at most ${MAX_PREFIX_RULES} rules can name an ip prefix; remove some first`,
      };
    }
    return undefined;
  }

  private changed(entry: AuditEntry): void {
    this.version++;
    this.auditSeq++;
    const kv = this.ctx.storage.kv;
    kv.put(`audit:${String(this.auditSeq).padStart(12, "0")}`, entry);
    if (this.auditSeq > MAX_AUDIT_ENTRIES) {
      kv.delete(`audit:${String(this.auditSeq - MAX_AUDIT_ENTRIES).padStart(12, "0")}`);
    }
    kv.put("meta", { version: this.version, auditSeq: this.auditSeq });
  }

  private expiresAt(atMs: number | undefined): void {
    if (atMs !== undefined) this.nextExpiryMs = Math.min(this.nextExpiryMs, atMs);
  }

  /**
   * Expired rules already stop applying where they are matched; this only frees room. Every
   * isolate asks for a snapshot every few seconds, so it does nothing until a rule is due.
   */
  private purgeExpired(): void {
    const nowMs = this.clock();
    if (nowMs < this.nextExpiryMs) return;
    this.nextExpiryMs = Infinity;
    const kv = this.ctx.storage.kv;
    for (const [id, rule] of this.blocks) {
      if (rule.expiresAt !== undefined && rule.expiresAt <= nowMs) {
        this.blocks.delete(id);
        kv.delete(`block:${id}`);
      }
    }
    for (const [id, rule] of this.overrides) {
      if (rule.expiresAt !== undefined && rule.expiresAt <= nowMs) {
        this.overrides.delete(id);
        kv.delete(`override:${id}`);
      }
    }
    for (const rule of [...this.blocks.values(), ...this.overrides.values()]) {
      this.expiresAt(rule.expiresAt);
    }
  }
}
