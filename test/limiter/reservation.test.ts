import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/config/registry.ts";
import { Limiter } from "../../src/limiter/limiter.ts";
import { countRowsWritten, type RowsWritten, setObjectClock } from "../objects.ts";

const registry = Registry.fromJson({
  app: "resv",
  policies: { big: { kind: "throttle", rate: 1000, per: 60 } },
});

async function subject(user: string) {
  const stub = env.LIMITER.getByName(`resv:USER:${user}`);
  const nowMs = Date.now();
  await setObjectClock(stub, () => nowMs);
  const rows: RowsWritten = { kvPuts: 0, kvDeletes: 0, alarmsSet: 0 };
  await countRowsWritten(stub, rows);
  // A limiter per phase: the isolate's memory of denials plays no part here.
  const check = () => new Limiter(registry, env.LIMITER).check({ policies: ["big"], user });
  const drain = async () => {
    let admitted = 0;
    while ((await check()).allowed) admitted++;
    return admitted;
  };
  // The object's clock stands still, before and after an eviction: nothing refills.
  const pin = () => setObjectClock(stub, () => nowMs);
  return { stub, rows, check, drain, pin };
}

describe("a throttle of 1,000 a minute", () => {
  it("writes one row per 50 admissions, the first of each reservation", async () => {
    const s = await subject("rows");
    for (let i = 0; i < 100; i++) expect((await s.check()).allowed).toBe(true);
    expect(s.rows.kvPuts).toBe(2);
  });

  it("loses less than one reservation to an eviction, and never admits more", async () => {
    const s = await subject("evicted");
    for (let i = 0; i < 60; i++) await s.check();
    await evictDurableObject(s.stub);
    await s.pin();
    const after = await s.drain();
    // Exact would be 940 more; the reservation stored at the 51st admission covers to 100.
    expect(after).toBe(900);
    expect(60 + after).toBeLessThanOrEqual(1000);
  });

  it("writes memory down on the alarm soon after, so a routine eviction loses nothing", async () => {
    const s = await subject("flushed");
    for (let i = 0; i < 60; i++) await s.check();
    expect(await runDurableObjectAlarm(s.stub)).toBe(true);
    await evictDurableObject(s.stub);
    await s.pin();
    expect(await s.drain()).toBe(940);
  });
});
