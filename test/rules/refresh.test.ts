import { describe, expect, it } from "vitest";
import { RULES_FRESH_MS, RULES_REFRESH_AFTER_MS } from "../../src/rules/cache.ts";
import { fresh, isolate } from "./harness.ts";

// Two isolates of one deployment: a change made through one reaches the other within the
// bound, on the other's own requests (Workers run no timers between them).

describe("a rule changed in another isolate", () => {
  it("applies here no later than the refresh bound", async () => {
    const start = Date.now();
    const here = isolate(start);
    const there = isolate(start);
    const user = fresh();
    expect((await here.check({ policies: ["per_user"], user })).status).toBe(200);
    await there.admin.block({ user });
    // Its own isolate applies it at once.
    expect((await there.check({ policies: ["per_user"], user })).status).toBe(429);
    // This one decides with its copy until the copy is stale...
    here.advance(RULES_FRESH_MS - 1);
    await here.check({ policies: ["per_user"], user: fresh() });
    await here.settled();
    // ...which a request past RULES_REFRESH_AFTER_MS has refreshed in the background.
    expect((await here.check({ policies: ["per_user"], user })).status).toBe(429);
  });

  it("applies before deciding once this isolate's copy is older than the bound", async () => {
    const start = Date.now();
    const here = isolate(start);
    const there = isolate(start);
    const user = fresh();
    expect((await here.check({ policies: ["per_user"], user })).status).toBe(200);
    await there.admin.block({ user });
    // Young copy: no refresh yet, so the block is not seen...
    here.advance(RULES_REFRESH_AFTER_MS - 1);
    expect((await here.check({ policies: ["per_user"], user })).status).toBe(200);
    // ...idle past the bound: the next check waits for the rules and is denied.
    here.advance(RULES_FRESH_MS);
    expect((await here.check({ policies: ["per_user"], user })).status).toBe(429);
  });

  it("reaches denials this isolate remembered: an unblock lets the next check through", async () => {
    const start = Date.now();
    const here = isolate(start);
    const there = isolate(start);
    const user = fresh();
    const block = await there.admin.block({ user });
    here.advance(RULES_FRESH_MS);
    expect((await here.check({ policies: ["per_user"], user })).status).toBe(429);
    await there.admin.unblock(block.id);
    here.advance(RULES_FRESH_MS);
    expect((await here.check({ policies: ["per_user"], user })).status).toBe(200);
  });
});
