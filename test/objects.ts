import { runInDurableObject } from "cloudflare:test";
import type { LimiterObject } from "../src/limiter/object.ts";
import { StateStore } from "../src/limiter/store.ts";

/** The object's private seams, which only tests and benchmarks reach. */
interface Seams {
  clock: () => number;
  store: StateStore;
}

const seams = (instance: LimiterObject) => instance as unknown as Seams;

/** Replaces the clock of the object behind `stub` until it is evicted. */
export function setObjectClock(
  stub: DurableObjectStub<LimiterObject>,
  clock: () => number,
): Promise<void> {
  return runInDurableObject(stub, (instance: LimiterObject) => {
    seams(instance).clock = clock;
  });
}

/** Rows written to Durable Object storage, each a billed row write. */
export interface RowsWritten {
  kvPuts: number;
  kvDeletes: number;
  alarmsSet: number;
}

/**
 * From now until the object behind `stub` is evicted, adds every row it writes to `rows`:
 * its StateStore is rebuilt over a wrapper of its storage that counts the calls that write.
 */
export function countRowsWritten(
  stub: DurableObjectStub<LimiterObject>,
  rows: RowsWritten,
): Promise<void> {
  return runInDurableObject(stub, async (instance: LimiterObject, state) => {
    const { storage } = state;
    const { kv } = storage;
    // Only what StateStore calls; anything else it called would fail loudly here.
    const counting = {
      kv: {
        get: (key: string) => kv.get(key),
        list: () => kv.list(),
        put: (key: string, value: unknown) => {
          rows.kvPuts++;
          kv.put(key, value);
        },
        delete: (key: string) => {
          rows.kvDeletes++;
          return kv.delete(key);
        },
      },
      setAlarm: (atMs: number) => {
        rows.alarmsSet++;
        return storage.setAlarm(atMs);
      },
    };
    seams(instance).store = new StateStore(
      counting as unknown as DurableObjectStorage,
      await storage.getAlarm(),
    );
  });
}
