import type {
  AuditEntry,
  BlockInput,
  BlockRule,
  Door,
  OverrideInput,
  OverrideRule,
} from "../client/types.ts";
import type { Registry } from "../config/registry.ts";
import { callObject } from "../limiter/calls.ts";
import { InputError } from "../limiter/request.ts";
import type { RulesCache } from "./cache.ts";
import { parseBlock, parseOverride } from "./input.ts";
import type { Refusal, RulesObject } from "./object.ts";
import type { RulesSnapshot } from "./rule-set.ts";

/** A change the rules object refused: too many rules in force (HTTP 409). */
export class RuleConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuleConflictError";
  }
}

/** The one rules object of a deployment. */
export const RULES_OBJECT_NAME = "rules";

/** Longest audit page. */
export const MAX_AUDIT_PAGE = 1_000;

const refused = <T>(answer: T | Refusal): answer is Refusal =>
  typeof answer === "object" && answer !== null && "refused" in answer;

function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

/**
 * Changes the runtime rules: validates what a door sends, stores it in the rules object, and
 * makes this isolate's copy of the rules refetch, so the change applies here at once (and
 * everywhere else within the rules' refresh bound). Shared by the HTTP, RPC and dashboard
 * doors, each recorded in the audit log by name.
 */
export class RulesAdmin {
  private readonly registry: Registry;
  private readonly namespace: DurableObjectNamespace<RulesObject>;
  private readonly cache: RulesCache;
  private readonly clock: () => number;

  constructor(
    registry: Registry,
    namespace: DurableObjectNamespace<RulesObject>,
    cache: RulesCache,
    clock: () => number = Date.now,
  ) {
    this.registry = registry;
    this.namespace = namespace;
    this.cache = cache;
    this.clock = clock;
  }

  async block(input: BlockInput | unknown, door: Door): Promise<BlockRule> {
    const parsed = parseBlock(this.registry, input);
    const nowMs = this.clock();
    const rule: BlockRule = {
      id: newId("blk"),
      ...parsed.identity,
      ...(parsed.policies && { policies: parsed.policies }),
      ...this.timing(parsed.seconds, nowMs),
      ...(parsed.reason !== undefined && { reason: parsed.reason }),
      door,
    };
    return this.changed(await this.call<BlockRule | Refusal>((o) => o.addBlock(rule)));
  }

  async unblock(id: unknown, door: Door): Promise<boolean> {
    return this.changed(await this.call<boolean>((o) => o.removeBlock(this.id(id), door)));
  }

  async setOverride(policy: unknown, input: OverrideInput | unknown, door: Door) {
    if (typeof policy !== "string") throw new InputError("policy must be a policy name");
    const parsed = parseOverride(this.registry, policy, input);
    const nowMs = this.clock();
    const rule: OverrideRule = {
      id: newId("ovr"),
      policy: parsed.policy.name,
      ...parsed.identity,
      limit: parsed.limit as OverrideRule["limit"],
      ...this.timing(parsed.seconds, nowMs),
      ...(parsed.reason !== undefined && { reason: parsed.reason }),
      door,
    };
    return this.changed(await this.call<OverrideRule | Refusal>((o) => o.putOverride(rule)));
  }

  async removeOverride(id: unknown, door: Door): Promise<boolean> {
    return this.changed(await this.call<boolean>((o) => o.removeOverride(this.id(id), door)));
  }

  async blocks(): Promise<BlockRule[]> {
    return this.live((await this.snapshot()).blocks);
  }

  async overrides(): Promise<OverrideRule[]> {
    return this.live((await this.snapshot()).overrides);
  }

  async audit(limit: unknown = 100): Promise<AuditEntry[]> {
    if (
      !Number.isSafeInteger(limit) ||
      (limit as number) < 1 ||
      (limit as number) > MAX_AUDIT_PAGE
    ) {
      throw new InputError(`limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
    }
    return this.call<AuditEntry[]>((o) => o.audit(limit as number));
  }

  private async snapshot() {
    const answer = await this.call<RulesSnapshot | { unchanged: true }>((o) => o.snapshot());
    return "unchanged" in answer ? { blocks: [], overrides: [] } : answer;
  }

  private live<T extends { expiresAt?: number }>(rules: T[]): T[] {
    const nowMs = this.clock();
    return rules.filter((rule) => rule.expiresAt === undefined || rule.expiresAt > nowMs);
  }

  private timing(seconds: number | undefined, nowMs: number) {
    return seconds === undefined
      ? { createdAt: nowMs }
      : { createdAt: nowMs, expiresAt: nowMs + seconds * 1000 };
  }

  private id(id: unknown): string {
    if (typeof id !== "string" || id.length === 0 || id.length > 64) {
      throw new InputError("id must be a rule id");
    }
    return id;
  }

  private changed<T>(answer: T | Refusal): T {
    if (refused(answer)) throw new RuleConflictError(answer.refused);
    this.cache.invalidate();
    return answer;
  }

  // Over RPC a union answer is typed as a union of stubs; the plain data it carries is T.
  private call<T>(fn: (stub: DurableObjectStub<RulesObject>) => unknown): Promise<T> {
    const stub = this.namespace.getByName(RULES_OBJECT_NAME);
    const budgetMs = this.registry.availability.budgetMs;
    return callObject(() => fn(stub) as Promise<T>, { budgetMs, retry: false });
  }
}
