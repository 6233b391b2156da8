// The objects' namespace as production serves it, for the production model: each call
// crosses a modelled network (half the round trip each way), waits in its object's queue,
// and takes a modelled share of the object's time; a call that finds the queue full gets
// the runtime's overload error. The real object decides each call, at the simulated instant
// it is served (its clock follows the simulation), so what it admits is the limiter's own.

import { LimiterUnavailableError } from "../src/limiter/calls.ts";
import type { LimiterObject } from "../src/limiter/object.ts";
import { countRowsWritten, type RowsWritten, setObjectClock } from "../test/objects.ts";
import type { Simulation } from "./model-sim.ts";
import type { ObjectModel } from "./model-types.ts";

export interface ObjectCounts {
  /** Calls that reached an object. */
  calls: number;
  /** Of those, answered with the overload error, not served. */
  overloaded: number;
  /** Served, but answered past the limiter's budget. */
  timedOut: number;
  /** Served calls that wrote storage. */
  writingCalls: number;
  rows: RowsWritten;
  /** Time the objects were busy or flushing a write: what duration is billed for. */
  activeMs: number;
  /** Most calls that ever waited in one object's queue. */
  maxQueued: number;
}

interface Call {
  method: string;
  args: unknown[];
  issuedMs: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Modelled {
  stub: DurableObjectStub<LimiterObject>;
  queue: Call[];
  busy: boolean;
  /** Until when its time is already counted as active. */
  activeUntilMs: number;
  /** Pins the object's clock to the simulation and counts its rows, once. */
  ready: Promise<void> | undefined;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The runtime's error for a call to an object with too many queued: never to be retried. */
function overloadError(): Error {
  const error = new Error("Durable Object is overloaded. Too many requests queued.");
  return Object.assign(error, { overloaded: true });
}

export class ModelledObjects {
  readonly counts: ObjectCounts = {
    calls: 0,
    overloaded: 0,
    timedOut: 0,
    writingCalls: 0,
    rows: { kvPuts: 0, kvDeletes: 0, alarmsSet: 0 },
    activeMs: 0,
    maxQueued: 0,
  };
  private readonly objects = new Map<string, Modelled>();
  private readonly sim: Simulation;
  private readonly real: DurableObjectNamespace<LimiterObject>;
  private readonly model: ObjectModel;
  private readonly clock: () => number;

  constructor(
    sim: Simulation,
    real: DurableObjectNamespace<LimiterObject>,
    model: ObjectModel,
    clock: () => number,
  ) {
    this.sim = sim;
    this.real = real;
    this.model = model;
    this.clock = clock;
  }

  /** What the limiter is given in place of the real namespace. */
  namespace(): DurableObjectNamespace<LimiterObject> {
    const getByName = (name: string) =>
      new Proxy(
        {},
        {
          get: (_, method) =>
            // Not a thenable: a stub is never awaited.
            method === "then" || typeof method !== "string"
              ? undefined
              : (...args: unknown[]) => this.call(name, method, args),
        },
      );
    return { getByName } as unknown as DurableObjectNamespace<LimiterObject>;
  }

  private call(name: string, method: string, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call = { method, args, issuedMs: this.sim.nowMs, resolve, reject };
      this.sim.at(this.sim.nowMs + this.model.roundTripMs / 2, () => this.arrive(name, call));
    });
  }

  private arrive(name: string, call: Call): void {
    const object = this.object(name);
    this.counts.calls++;
    if (object.queue.length >= this.model.queueLimit) {
      this.counts.overloaded++;
      this.answer(call, this.sim.nowMs, { ok: false, error: overloadError() });
      return;
    }
    object.queue.push(call);
    this.counts.maxQueued = Math.max(this.counts.maxQueued, object.queue.length);
    if (!object.busy) this.serveNext(object);
  }

  private serveNext(object: Modelled): void {
    const call = object.queue.shift();
    if (call === undefined) {
      object.busy = false;
      return;
    }
    object.busy = true;
    const startMs = this.sim.nowMs;
    const rows = this.counts.rows;
    const rowsBefore = rows.kvPuts + rows.kvDeletes + rows.alarmsSet;
    void this.sim.track(this.execute(object, call)).then((outcome) => {
      const wrote = rows.kvPuts + rows.kvDeletes + rows.alarmsSet > rowsBefore;
      if (wrote) this.counts.writingCalls++;
      const doneMs = startMs + (wrote ? this.model.writeCallMs : this.model.callMs);
      const answeredMs = doneMs + (wrote ? this.model.flushMs : 0);
      this.counts.activeMs += Math.max(0, answeredMs - Math.max(startMs, object.activeUntilMs));
      object.activeUntilMs = Math.max(object.activeUntilMs, answeredMs);
      this.sim.at(doneMs, () => this.serveNext(object));
      this.answer(call, answeredMs, outcome);
    });
  }

  private async execute(object: Modelled, call: Call): Promise<Outcome> {
    object.ready ??= (async () => {
      await setObjectClock(object.stub, this.clock);
      await countRowsWritten(object.stub, this.counts.rows);
    })();
    await object.ready;
    try {
      // Called on the stub itself: an RPC method is no ordinary function to `apply`.
      const stub = object.stub as unknown as Record<string, (...a: unknown[]) => unknown>;
      return { ok: true, value: await stub[call.method]?.(...call.args) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Sends `outcome` back from the object at `sentMs`; the isolate has it half a trip later. */
  private answer(call: Call, sentMs: number, outcome: Outcome): void {
    const arrivesMs = sentMs + this.model.roundTripMs / 2;
    const deadlineMs = call.issuedMs + this.model.budgetMs;
    if (arrivesMs > deadlineMs) {
      this.counts.timedOut++;
      const late = new LimiterUnavailableError("rate-limit object did not answer in time");
      this.sim.at(deadlineMs, () => call.reject(late));
      return;
    }
    this.sim.at(arrivesMs, () =>
      outcome.ok ? call.resolve(outcome.value) : call.reject(outcome.error),
    );
  }

  private object(name: string): Modelled {
    let object = this.objects.get(name);
    if (object === undefined) {
      const stub = this.real.getByName(name);
      object = { stub, queue: [], busy: false, activeUntilMs: 0, ready: undefined };
      this.objects.set(name, object);
    }
    return object;
  }
}
