import { describe, expect, it } from "vitest";
import { node, uid } from "../rules/nodes.ts";

// A leased throttle of 100 a second (capacity 100): a lease lives 250 ms, and grants leave
// the 25 tokens that refill in it in the bucket.
const T0 = Date.now();
const policies = (app: string) => ({
  app,
  policies: { hot: { kind: "throttle", rate: 100, per: 1, scope: "global", lease: true } },
});

function isolates(count: number) {
  const app = uid("hot");
  const json = policies(app);
  const nodes = Array.from({ length: count - 1 }, () => node(json, T0));
  const setAll = (ms: number) => {
    for (const n of nodes) n.set(ms);
  };
  const first = node(json, T0);
  nodes.unshift(first);
  return { n: first, nodes, setAll, pin: () => first.pin(`${app}:GLOBAL`) };
}

const check = async (n: ReturnType<typeof node>) =>
  (await n.limiter.check({ policies: ["hot"] })).allowed;

/**
 * Checks until the bucket has nothing left to grant: near its limit a check is denied while
 * the next grant is on its way (and that denial remembered), so a denial alone does not say
 * the bucket is dry. Each check's own fingerprint keeps it from the remembered ones.
 */
async function drain(n: ReturnType<typeof node>) {
  const unique = async (i: number) =>
    (await n.limiter.check({ policies: ["hot"], fingerprint: `drain${i}` })).allowed;
  for (let i = 0; ; ) {
    while (await unique(i++)) {}
    await n.settled();
    if (!(await unique(i++))) return;
  }
}

describe("a leased throttle", () => {
  it("admits a burst from its grants with a few object calls, and never more than capacity", async () => {
    const { n, pin } = isolates(1);
    await pin();
    let admitted = 0;
    for (let i = 0; i < 200; i++) if (await check(n)) admitted++;
    expect(admitted).toBeLessThanOrEqual(100);
    // The reserve of 25 stays in the bucket; grants of a quarter of the rest shrink towards
    // it, and once less than a quarter of the rest is left, checks that find this isolate's
    // grant spent while it asks for the next are denied.
    expect(admitted).toBeGreaterThanOrEqual(50);
    expect(n.limiter.stats().objectCalls).toBeLessThan(admitted / 2);
  });

  it("reports what remains as an estimate a client can trust: some while admitting, none when refused", async () => {
    const { n, pin } = isolates(1);
    await pin();
    const first = await n.limiter.check({ policies: ["hot"] });
    // One token granted for the first check; the bucket held 74 more beyond the reserve.
    expect(first.policies[0]?.remaining).toBe(74);
    let last = first;
    while (last.allowed) last = await n.limiter.check({ policies: ["hot"] });
    expect(last.policies[0]).toMatchObject({ allowed: false, remaining: 0 });
  });

  it("keeps several isolates under capacity plus what refilled, second by second", async () => {
    const { nodes, setAll, pin } = isolates(3);
    await pin();
    let admitted = 0;
    // 10 s in steps of 5 ms, each isolate checking 3 times a step: 3.6 times the rate.
    for (let stepMs = 0; stepMs <= 10_000; stepMs += 5) {
      setAll(T0 + stepMs);
      for (const n of nodes) {
        for (let i = 0; i < 3; i++) if (await check(n)) admitted++;
      }
      // A grant asked early is back within the step: a round trip under 5 ms.
      await Promise.all(nodes.map((n) => n.settled()));
      // In [0, t]: at most capacity + rate × t.
      expect(admitted).toBeLessThanOrEqual(100 + Math.floor((stepMs * 100) / 1000));
    }
    // Most of what the limit allows is admitted: the reserve and expired lots are the waste.
    expect(admitted).toBeGreaterThan(0.8 * (100 + 1000));
  });

  it("refuses a cost that only its reserve could cover, saying why", async () => {
    const { n } = isolates(1);
    await expect(n.limiter.check({ policies: ["hot"], cost: 76 })).rejects.toThrow(
      /exceeds 75, the most a check of leased policy "hot" may cost/,
    );
  });

  it("refuses an override whose bucket is too small to lease", async () => {
    const { n } = isolates(1);
    await expect(n.admin.setOverride("hot", { limit: { rate: 2, per: 60 } })).rejects.toThrow(
      /policy "hot" is leased: an override needs a bucket of at least 4 tokens, got 2/,
    );
  });

  it("drops what was granted under other rules: a lowered limit holds at once", async () => {
    const { n, pin } = isolates(1);
    await pin();
    for (let i = 0; i < 40; i++) expect(await check(n)).toBe(true);
    const override = await n.admin.setOverride("hot", { limit: { rate: 4, per: 60 } });
    // Still within the lease's life: what the isolate holds would otherwise be spent.
    n.set(T0 + 100);
    const after: boolean[] = [];
    for (let i = 0; i < 20; i++) after.push(await check(n));
    // The bucket of 4 begins no fuller than the old one left it, less its reserve.
    expect(after.filter(Boolean).length).toBeLessThanOrEqual(3);
    await n.admin.removeOverride(override.id);
  });

  it("forgets a refusal when the rules change: a raised limit admits at once", async () => {
    const { n, pin } = isolates(1);
    await pin();
    let open = true;
    while (open) open = await check(n);
    const raised = { limit: { rate: 100, per: 1, burst: 1000 } };
    const override = await n.admin.setOverride("hot", raised);
    n.set(T0 + 1);
    // The old bucket's deficit carries into the bigger one, which has hundreds to grant.
    expect(await check(n)).toBe(true);
    await n.admin.removeOverride(override.id);
  });

  it("settles an album's verdict after its leased tokens: a denied first member denies the rest", async () => {
    const { n, pin } = isolates(1);
    await pin();
    await drain(n);
    const album = (member: number) =>
      n.limiter.decide(
        [n.registry.get("hot")],
        { cost: 1 },
        {
          key: `telegram.demo.${member}`,
          fallbackSubjectKey: `${n.registry.app}:GLOBAL`,
          group: { key: "album.demo.1", subjectKey: `${n.registry.app}:ALBUMS`, windowMs: 10_000 },
        },
      );
    const first = await album(1);
    expect(first.result.allowed).toBe(false);
    const second = await album(2);
    expect(second.group).toBe("followed");
    expect(second.result.allowed).toBe(false);
  });
});
