import { runInDurableObject } from "cloudflare:test";
import type { LimiterObject } from "../src/limiter/object.ts";

/** The object's private seams, which only tests and benchmarks reach. */
interface Seams {
  clock: () => number;
  store: { rowsWritten: number };
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

/** Rows the object behind `stub` has written since it was last loaded. */
export function rowsWritten(stub: DurableObjectStub<LimiterObject>): Promise<number> {
  return runInDurableObject(stub, (instance: LimiterObject) => seams(instance).store.rowsWritten);
}
