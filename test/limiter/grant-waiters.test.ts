import { describe, expect, it } from "vitest";
import { leasedMaxCost } from "../../src/core/grant.ts";
import type { ThrottleLimit } from "../../src/core/throttle.ts";
import { TokenGrants } from "../../src/limiter/grants.ts";
import type { SubjectObjects } from "../../src/limiter/objects.ts";
import type { GrantItem, GrantOutcome } from "../../src/limiter/protocol.ts";

// 100 a second, capacity 100: a check of cost 1 is granted from a full bucket.
const limit: ThrottleLimit = {
  kind: "throttle",
  capacity: 100,
  refillTokens: 100,
  refillSeconds: 1,
};

describe("a check waiting for a grant another request asked for", () => {
  it("asks itself once that request is gone and its grant can never settle", async () => {
    const asked: GrantItem[] = [];
    // A cancelled request's call never settles: the first grant here never answers.
    const objects = {
      budgetMs: 10,
      grant: (_subjectKey: string, item: GrantItem): Promise<GrantOutcome> => {
        asked.push(item);
        if (asked.length === 1) return new Promise(() => {});
        return Promise.resolve({
          granted: item.want,
          retryAfterMs: 0,
          quota: 100,
          remaining: 60,
          resetMs: 0,
        });
      },
    } as unknown as SubjectObjects;
    const grants = new TokenGrants(objects, Date.now, () => 0);
    const gone = grants.spend("k", "s", limit, 1, 0);
    const waiter = await grants.spend("k", "s", limit, 1, 0);
    expect(waiter.allowed).toBe(true);
    expect(asked).toHaveLength(2);
    void gone;
  });
});

describe("checks waiting for a grant over the limit", () => {
  it("are denied once the grant they waited for left the bucket dry, without asking again", async () => {
    const asked: GrantItem[] = [];
    // Two tokens a grant, and nothing beyond them but the reserve: the bucket is at its limit.
    const objects = {
      budgetMs: 1000,
      grant: async (_subjectKey: string, item: GrantItem): Promise<GrantOutcome> => {
        asked.push(item);
        const remaining = limit.capacity - leasedMaxCost(limit);
        return { granted: 2, retryAfterMs: 0, quota: 100, remaining, resetMs: 250 };
      },
    } as unknown as SubjectObjects;
    const grants = new TokenGrants(
      objects,
      () => 1_000,
      () => 0,
    );
    const spent = await Promise.all(
      Array.from({ length: 10 }, () => grants.spend("k", "s", limit, 1, 0)),
    );
    expect(spent.filter((s) => s.allowed)).toHaveLength(2);
    const denied = spent.filter((s) => !s.allowed);
    expect(denied).toHaveLength(8);
    // Back once a token has refilled: 10 ms at 100 a second.
    for (const d of denied) expect(d).toMatchObject({ retryAfterMs: 10, remaining: 0 });
    expect(asked).toHaveLength(1);
  });
});
