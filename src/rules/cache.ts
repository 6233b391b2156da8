import { waitForShared } from "../platform/shared-wait.ts";
import { EMPTY_SNAPSHOT, type RuleSet, type RulesSnapshot } from "./rule-set.ts";

/**
 * An isolate never decides with a copy of the rules older than this: a change made anywhere
 * takes effect on every door and in every isolate within it.
 */
export const RULES_FRESH_MS = 5_000;
/** A copy this old is refreshed in the background, so steady traffic never waits for one. */
export const RULES_REFRESH_AFTER_MS = 2_000;

export type FetchRules = (
  knownVersion: number | undefined,
) => Promise<RulesSnapshot | { version: number; unchanged: true }>;

export interface RulesCacheOptions {
  fetch: FetchRules;
  /**
   * Past the fetch's own deadline: a request waiting this long for a fetch another request
   * started takes that request for gone (src/platform/shared-wait.ts) and fetches itself.
   */
  abandonedAfterMs: number;
  /** Compiles a snapshot for lookups (it needs the policies to read overrides). */
  compile: (snapshot: RulesSnapshot) => RuleSet;
  /** Keeps a background refresh alive past the request (the runtime's waitUntil). */
  background: (work: Promise<unknown>) => void;
  clock?: () => number;
}

/**
 * The isolate's copy of the runtime rules. Workers run no timers between requests, so the copy
 * is refreshed on requests: in the background once it is `RULES_REFRESH_AFTER_MS` old, and
 * before deciding once it is `RULES_FRESH_MS` old (after an idle spell). A failed refresh
 * keeps the copy while it is fresh enough; past that `current()` throws, and the limiter
 * counts as unavailable, so the door's failure mode answers.
 */
export class RulesCache {
  private copy: { rules: RuleSet; fetchedAtMs: number } | undefined;
  private inflight: { rules: Promise<RuleSet>; generation: number } | undefined;
  /** Bumped by `invalidate`: a fetch started before it may miss the change just made. */
  private generation = 0;
  private readonly options: RulesCacheOptions;
  private readonly clock: () => number;

  constructor(options: RulesCacheOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
  }

  /** Rules no older than the bound. */
  async current(): Promise<RuleSet> {
    const copy = this.copy;
    const ageMs = copy === undefined ? Infinity : this.clock() - copy.fetchedAtMs;
    if (copy !== undefined && ageMs < RULES_REFRESH_AFTER_MS) return copy.rules;
    if (copy !== undefined && ageMs < RULES_FRESH_MS) {
      this.options.background(this.refresh().catch(() => undefined));
      return copy.rules;
    }
    return this.refresh();
  }

  /** After a change made here: the next decision fetches, so the change applies at once. */
  invalidate(): void {
    this.generation++;
    if (this.copy !== undefined) this.copy = { ...this.copy, fetchedAtMs: -Infinity };
  }

  private async refresh(): Promise<RuleSet> {
    const joined = this.inflight;
    if (joined?.generation === this.generation) {
      const waited = await waitForShared(joined.rules, this.options.abandonedAfterMs);
      if (waited.settled) return waited.value;
      if (this.inflight === joined) this.inflight = undefined;
    }
    return this.startFetch();
  }

  private startFetch(): Promise<RuleSet> {
    const generation = this.generation;
    const inflight = {
      rules: this.fetchAndKeep(generation).finally(() => {
        if (this.inflight === inflight) this.inflight = undefined;
      }),
      generation,
    };
    this.inflight = inflight;
    return inflight.rules;
  }

  private async fetchAndKeep(generation: number): Promise<RuleSet> {
    const startedMs = this.clock();
    let answer: Awaited<ReturnType<FetchRules>>;
    try {
      answer = await this.options.fetch(this.copy?.rules.version);
    } catch (error) {
      const copy = this.copy;
      if (copy !== undefined && this.clock() - copy.fetchedAtMs < RULES_FRESH_MS) return copy.rules;
      throw new Error(`runtime rules unavailable: ${(error as Error).message}`);
    }
    const rules =
      "unchanged" in answer && this.copy !== undefined
        ? this.copy.rules
        : this.options.compile("unchanged" in answer ? EMPTY_SNAPSHOT : answer);
    // Fresh as of when it was asked for: anything changed after that may not be in it, and
    // a change made here since (an invalidation) makes it stale at once.
    const fetchedAtMs = generation === this.generation ? startedMs : -Infinity;
    if (this.copy === undefined || rules.version >= this.copy.rules.version) {
      this.copy = { rules, fetchedAtMs };
    }
    return rules;
  }
}
