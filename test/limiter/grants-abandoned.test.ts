import { describe, expect, it } from "vitest";
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
