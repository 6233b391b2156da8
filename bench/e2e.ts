// The end-to-end scenarios on `wrangler dev`. Each is measured between two runs of a no-op
// route of the same worker (its floor), and compared to their mean, so a ratio is of numbers
// taken seconds apart even when the machine's speed drifts during the run.
import { BENCH_BOT_SECRET } from "./bench-policies.ts";
import { type LoadResult, type LoadSpec, load } from "./load.ts";
import { API_TOKEN } from "./sandbox.ts";

export interface Timing {
  connections: number;
  durationS: number;
  /** Each floor run; the first one is warmed up as well. */
  floorS: number;
  warmupS: number;
  /** Subjects the allowed path rotates over. */
  users: number;
  /** Requests in the flood whose Durable Object calls are counted. */
  floodRequests: number;
}

/** A scenario and the floor around it: the mean of the floor runs just before and after. */
export interface Measured {
  result: LoadResult;
  floorRps: number;
}

export interface FloodEconomics {
  requests: number;
  objectCalls: number;
  deniedFromCache: number;
  statuses: Record<string, number>;
}

export interface LimiterResults {
  floors: LoadResult[];
  allowed: Measured;
  global: Measured;
  flood: Measured;
  telegram: Measured;
  origin: LoadResult;
  economics: FloodEconomics;
}

/** The allowed path alone, with its own floor (the state-on-disk session). */
export interface AllowedResults {
  floors: LoadResult[];
  allowed: Measured;
}

export interface ConsumerResults {
  floors: LoadResult[];
  hello: Measured;
}

type Spec = Omit<LoadSpec, "connections" | "durationS">;

const auth = { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" };

/**
 * User ids 1..users, round-robin. Numeric, so /v1/check, the Telegram door and the consumer
 * all reach the same subjects' objects.
 */
function rotatingUsers(users: number): () => number {
  let n = 0;
  return () => (n++ % users) + 1;
}

function show(name: string, result: LoadResult): LoadResult {
  console.log(
    `  ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, ` +
      `p99 ${result.p99Ms} ms, statuses ${JSON.stringify(result.statuses)}` +
      (result.errors > 0 ? `, ${result.errors} connection errors` : ""),
  );
  return result;
}

async function measure(name: string, timing: Timing, spec: Spec): Promise<LoadResult> {
  const base = { ...spec, connections: timing.connections };
  await load({ ...base, durationS: timing.warmupS });
  return show(name, await load({ ...base, durationS: timing.durationS }));
}

/** Runs of a worker's no-op route, one between every two scenarios. */
class Floors {
  readonly runs: LoadResult[] = [];
  private readonly name: string;
  private readonly spec: Spec;
  private readonly timing: Timing;

  constructor(name: string, spec: Spec, timing: Timing) {
    this.name = name;
    this.spec = spec;
    this.timing = timing;
  }

  async next(): Promise<LoadResult> {
    const base = { ...this.spec, connections: this.timing.connections };
    if (this.runs.length === 0) await load({ ...base, durationS: this.timing.warmupS });
    const run = show(
      `${this.name} (floor)`,
      await load({ ...base, durationS: this.timing.floorS }),
    );
    this.runs.push(run);
    return run;
  }

  /** `scenario` between the last floor run (or a new one) and the next. */
  async around(scenario: () => Promise<LoadResult>): Promise<Measured> {
    const before = this.runs.at(-1) ?? (await this.next());
    const result = await scenario();
    const after = await this.next();
    return { result, floorRps: (before.rps + after.rps) / 2 };
  }
}

/** One request per user first: creating an object is not what the allowed path measures. */
async function touchEveryUser(spec: Spec, timing: Timing): Promise<void> {
  await load({ ...spec, connections: timing.connections, durationS: 60, amount: timing.users });
}

/** POST /v1/check with a fixed body, or one made per request. */
function checkSpec(url: string, body: object | (() => object)): Spec {
  return {
    url: `${url}/v1/check`,
    method: "POST",
    headers: auth,
    body: typeof body === "function" ? () => JSON.stringify(body()) : JSON.stringify(body),
  };
}

const healthz = (url: string, timing: Timing) =>
  new Floors("GET /healthz", { url: `${url}/healthz` }, timing);

/** POST /v1/check admitted every time: a generous policy, rotated over warm subjects. */
async function allowedPath(url: string, timing: Timing): Promise<LoadResult> {
  const users = rotatingUsers(timing.users);
  const spec = checkSpec(url, () => ({ policies: ["bench_user"], user: users() }));
  await touchEveryUser(spec, timing);
  return measure(`POST /v1/check, allowed, ${timing.users} users`, timing, spec);
}

export async function allowedOnly(url: string, timing: Timing): Promise<AllowedResults> {
  const floors = healthz(url, timing);
  const allowed = await floors.around(() => allowedPath(url, timing));
  return { floors: floors.runs, allowed };
}

async function isolateStats(url: string) {
  const res = await fetch(`${url}/v1/stats`, { headers: auth });
  if (!res.ok) throw new Error(`GET /v1/stats answered ${res.status}`);
  return ((await res.json()) as { isolate: { objectCalls: number; deniedFromCache: number } })
    .isolate;
}

/** A flood of identical checks on one fresh key, and what it cost in object calls. */
async function floodEconomics(url: string, timing: Timing): Promise<FloodEconomics> {
  const before = await isolateStats(url);
  const result = await load({
    ...checkSpec(url, { policies: ["bench_flood"], user: "economics" }),
    connections: timing.connections,
    durationS: 60,
    amount: timing.floodRequests,
  });
  const after = await isolateStats(url);
  const economics = {
    requests: result.answers,
    objectCalls: after.objectCalls - before.objectCalls,
    deniedFromCache: after.deniedFromCache - before.deniedFromCache,
    statuses: result.statuses,
  };
  console.log(`  flood economics: ${JSON.stringify(economics)}`);
  return economics;
}

/** Private-chat messages from rotating users, each with an update_id never used before. */
function telegramUpdates(timing: Timing): () => string {
  const users = rotatingUsers(timing.users);
  let updateId = 0;
  return () => {
    const id = users();
    updateId++;
    return JSON.stringify({
      update_id: updateId,
      message: {
        message_id: updateId,
        date: 1767225600,
        chat: { id, type: "private", first_name: "Bench" },
        from: { id, is_bot: false, first_name: "Bench" },
        text: "hello",
      },
    });
  };
}

export async function limiterScenarios(
  url: string,
  originUrl: string,
  timing: Timing,
): Promise<LimiterResults> {
  const floors = healthz(url, timing);
  const allowed = await floors.around(() => allowedPath(url, timing));
  const global = await floors.around(() =>
    measure(
      "POST /v1/check, global scope (one object)",
      timing,
      checkSpec(url, { policies: ["bench_global"] }),
    ),
  );
  const flood = await floors.around(() =>
    measure(
      "POST /v1/check, one key flooded",
      timing,
      checkSpec(url, { policies: ["bench_flood"], user: "flooder" }),
    ),
  );
  const webhook = {
    method: "POST" as const,
    headers: {
      "Content-Type": "application/json",
      "X-Telegram-Bot-Api-Secret-Token": BENCH_BOT_SECRET,
    },
    body: telegramUpdates(timing),
  };
  const telegram = await floors.around(() =>
    measure("POST /telegram/bench", timing, { ...webhook, url: `${url}/telegram/bench` }),
  );
  const origin = await measure("POST straight to the origin", timing, {
    ...webhook,
    url: originUrl,
  });
  const economics = await floodEconomics(url, timing);
  return { floors: floors.runs, allowed, global, flood, telegram, origin, economics };
}

export async function consumerScenarios(url: string, timing: Timing): Promise<ConsumerResults> {
  const floors = new Floors("consumer 404", { url: `${url}/no-such-route` }, timing);
  const users = rotatingUsers(timing.users);
  const helloSpec = {
    url: `${url}/hello`,
    perRequestHeaders: () => ({ "X-User": String(users()) }),
  };
  const hello = await floors.around(async () => {
    await touchEveryUser(helloSpec, timing);
    return measure("consumer GET /hello, check() over the binding", timing, helloSpec);
  });
  return { floors: floors.runs, hello };
}
