import type { BlockRule, OverrideRule, RuleIdentity } from "../client/types.ts";
import type { Policy } from "../config/policy.ts";
import type { Limit } from "../core/limits.ts";
import type { Identity } from "../core/scopes.ts";
import { inPrefix, type Prefix, parsedAddress, toPrefix } from "./network.ts";

/** The rules in force, as the rules object hands them to isolates. */
export interface RulesSnapshot {
  /** Grows with every change, so an isolate can tell its copy is current. */
  version: number;
  blocks: BlockRule[];
  overrides: OverrideRule[];
}

export const EMPTY_SNAPSHOT: RulesSnapshot = { version: 0, blocks: [], overrides: [] };

/** What blocks a check: the policies it covers, and for how long (none: no expiry). */
export interface Blocking {
  policies: Set<string>;
  retryAfterMs: number | undefined;
}

/** The limit an override puts in force for one check. */
export interface LimitInForce {
  limit: Limit | "unlimited";
  overrideId: string;
}

type Compiled = { rule: OverrideRule; limit: Limit | "unlimited" };

const live = (rule: { expiresAt?: number }, nowMs: number) =>
  rule.expiresAt === undefined || rule.expiresAt > nowMs;

/** A rule's identity as one map key; ids never hold ":" so the parts cannot run together. */
function identityKey(identity: RuleIdentity): string | undefined {
  if (identity.user !== undefined && identity.chat !== undefined) {
    return `g:${identity.user}:${identity.chat}`;
  }
  if (identity.user !== undefined) return `u:${identity.user}`;
  if (identity.chat !== undefined) return `c:${identity.chat}`;
  if (identity.key !== undefined) return `k:${identity.key}`;
  if (identity.ip !== undefined && !identity.ip.includes("/")) return `i:${identity.ip}`;
  return undefined;
}

/** The keys a check's identity can be found under, for a block (each field on its own). */
function blockKeys(identity: Identity): string[] {
  const keys: string[] = [];
  if (identity.user !== undefined) keys.push(`u:${identity.user}`);
  if (identity.chat !== undefined) keys.push(`c:${identity.chat}`);
  if (identity.key !== undefined) keys.push(`k:${identity.key}`);
  if (identity.ip !== undefined) keys.push(`i:${identity.ip}`);
  return keys;
}

/** An override's identity, as its policy's scope reads a check. */
function scopedKey(policy: Policy, identity: Identity): string | undefined {
  switch (policy.scope) {
    case "user":
      return identityKey({ user: identity.user });
    case "chat":
      return identityKey({ chat: identity.chat });
    case "group":
      if (identity.user === undefined || identity.chat === undefined) return undefined;
      return identityKey({ user: identity.user, chat: identity.chat });
    case "key":
      return identityKey({ key: identity.key });
    case "ip":
      return identityKey({ ip: identity.ip });
    case "global":
      return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * The rules compiled for lookup on every check: exact identities in maps (O(1)), prefixes in
 * short lists (bounded by the rules object), most specific first. Pure: the clock is passed in,
 * and a rule past its expiry stops applying whether or not anything removed it.
 */
export class RuleSet {
  readonly version: number;
  /** When rules stop applying on their own, soonest first. */
  private readonly expiries: number[];
  private readonly blocksByKey = new Map<string, BlockRule[]>();
  private readonly blockPrefixes: { prefix: Prefix; rule: BlockRule }[] = [];
  private readonly overridesByKey = new Map<string, Compiled>();
  private readonly overridePrefixes = new Map<string, { prefix: Prefix; compiled: Compiled }[]>();
  private readonly policyWide = new Map<string, Compiled>();

  /** `limitOf` reads an override's limit for its policy; undefined drops the override. */
  constructor(
    snapshot: RulesSnapshot,
    limitOf: (rule: OverrideRule) => Limit | "unlimited" | undefined,
  ) {
    this.version = snapshot.version;
    this.expiries = [...snapshot.blocks, ...snapshot.overrides]
      .flatMap((rule) => (rule.expiresAt === undefined ? [] : [rule.expiresAt]))
      .sort((a, b) => a - b);
    for (const rule of snapshot.blocks) {
      if (rule.ip?.includes("/")) this.blockPrefixes.push({ prefix: toPrefix(rule.ip), rule });
      else push(this.blocksByKey, identityKey(rule) as string, rule);
    }
    for (const rule of snapshot.overrides) {
      const limit = limitOf(rule);
      if (limit === undefined) continue;
      const compiled = { rule, limit };
      const key = identityKey(rule);
      if (rule.ip?.includes("/"))
        push(this.overridePrefixes, rule.policy, { prefix: toPrefix(rule.ip), compiled });
      else if (key === undefined) this.policyWide.set(rule.policy, compiled);
      else this.overridesByKey.set(`${rule.policy}#${key}`, compiled);
    }
    for (const list of this.overridePrefixes.values())
      list.sort((a, b) => b.prefix.bits - a.prefix.bits);
  }

  /** The next time after `nowMs` that a rule stops applying on its own. */
  nextExpiryAfter(nowMs: number): number {
    return this.expiries.find((atMs) => atMs > nowMs) ?? Infinity;
  }

  /** The blocks a check carrying `identity` and naming `policyNames` runs into, if any. */
  blocking(identity: Identity, policyNames: string[], nowMs: number): Blocking | undefined {
    const matched = blockKeys(identity).flatMap((key) => this.blocksByKey.get(key) ?? []);
    if (identity.ip !== undefined && this.blockPrefixes.length > 0) {
      const address = parsedAddress(identity.ip);
      for (const { prefix, rule } of this.blockPrefixes) {
        if (inPrefix(address, prefix)) matched.push(rule);
      }
    }
    const policies = new Set<string>();
    let retryAfterMs: number | undefined = 0;
    for (const rule of matched) {
      if (!live(rule, nowMs)) continue;
      const covered = policyNames.filter((name) => !rule.policies || rule.policies.includes(name));
      if (covered.length === 0) continue;
      for (const name of covered) policies.add(name);
      retryAfterMs =
        rule.expiresAt === undefined || retryAfterMs === undefined
          ? undefined
          : Math.max(retryAfterMs, rule.expiresAt - nowMs);
    }
    return policies.size === 0 ? undefined : { policies, retryAfterMs };
  }

  /** The override in force for `policy` on this check: exact, then prefix, then policy-wide. */
  limitFor(policy: Policy, identity: Identity, nowMs: number): LimitInForce | undefined {
    const key = scopedKey(policy, identity);
    const exact = key === undefined ? undefined : this.overridesByKey.get(`${policy.name}#${key}`);
    const found =
      (exact && live(exact.rule, nowMs) ? exact : undefined) ??
      this.prefixOverride(policy, identity, nowMs) ??
      this.livePolicyWide(policy.name, nowMs);
    return found && { limit: found.limit, overrideId: found.rule.id };
  }

  private prefixOverride(policy: Policy, identity: Identity, nowMs: number) {
    const list = this.overridePrefixes.get(policy.name);
    if (list === undefined || policy.scope !== "ip" || identity.ip === undefined) return undefined;
    const address = parsedAddress(identity.ip);
    return list.find(
      ({ prefix, compiled }) => live(compiled.rule, nowMs) && inPrefix(address, prefix),
    )?.compiled;
  }

  private livePolicyWide(name: string, nowMs: number) {
    const compiled = this.policyWide.get(name);
    return compiled && live(compiled.rule, nowMs) ? compiled : undefined;
  }
}
