// The end-to-end scenarios on `wrangler dev`. Each is measured between two runs of a no-op
// route of the same worker (its floor), and compared to their mean, so a ratio is of numbers
// taken seconds apart even when the machine's speed drifts during the run.
import { API_TOKEN, TELEGRAM_SECRET } from "../scripts/e2e/sandbox.ts";
import { type LoadResult, type LoadSpec, load } from "./load.ts";

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
}

export interface Session<K extends string> {
  floors: LoadResult[];
  measured: Record<K, Measured>;
}

export type LimiterResults = Session<"allowed" | "disabled" | "global" | "flood" | "telegram"> & {
  origin: LoadResult;
  economics: FloodEconomics;
};

export type Spec = Omit<LoadSpec, "connections" | "durationS">;

const auth = { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" };

/**
 * User ids 1..users, round-robin. Numeric, so /v1/check, the Telegram door and the consumer
 * all reach the same subjects' objects.
 */
export function rotatingUsers(users: number): () => number {
  let n = 0;
  return () => (n++ % users) + 1;
}

const run = (spec: Spec, timing: Timing, durationS: number) =>
  load({ ...spec, connections: timing.connections, durationS });

async function measure(name: string, timing: Timing, spec: Spec, seconds = timing.durationS) {
  const result = await run(spec, timing, seconds);
  console.log(
    `  ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, ` +
      `p99 ${result.p99Ms} ms, statuses ${JSON.stringify(result.statuses)}`,
  );
  return result;
}

export type Floors = ReturnType<typeof floors>;

/** Runs of a worker's no-op route, one before the first scenario and one after each. */
export function floors(name: string, spec: Spec, timing: Timing) {
  const runs: LoadResult[] = [];
  const next = async () => {
    if (runs.length === 0) await run(spec, timing, timing.warmupS);
    runs.push(await measure(`${name} (floor)`, timing, spec, timing.floorS));
    return runs.at(-1) as LoadResult;
  };
  return {
    runs,
    /** A scenario, warmed up, between the last floor run (or a new one) and the next. */
    async around(scenarioName: string, spec: Spec): Promise<Measured> {
      const before = runs.at(-1) ?? (await next());
      await run(spec, timing, timing.warmupS);
      const result = await measure(scenarioName, timing, spec);
      return { result, floorRps: (before.rps + (await next()).rps) / 2 };
    },
  };
}

/** One request per user first: creating an object is not what the allowed path measures. */
export async function touchEveryUser(spec: Spec, timing: Timing): Promise<void> {
  await load({ ...spec, connections: timing.connections, durationS: 60, amount: timing.users });
}

/** POST /v1/check with a fixed body, or one made per request. */
export function checkSpec(url: string, body: object | (() => object), expectStatus = 200): Spec {
  return {
    url: `${url}/v1/check`,
    method: "POST",
    headers: auth,
    body: typeof body === "function" ? () => JSON.stringify(body()) : JSON.stringify(body),
    expectStatus,
  };
}

const healthzFloors = (url: string, timing: Timing) =>
  floors("GET /healthz", { url: `${url}/healthz`, expectStatus: 200 }, timing);

/** POST /v1/check admitted every time: a generous policy, rotated over warm subjects. */
async function allowedPath(url: string, timing: Timing, healthz: Floors): Promise<Measured> {
  const users = rotatingUsers(timing.users);
  const spec = checkSpec(url, () => ({ policies: ["bench_user"], user: users() }));
  await touchEveryUser(spec, timing);
  return healthz.around(`POST /v1/check, allowed, ${timing.users} users`, spec);
}

export async function allowedOnly(url: string, timing: Timing): Promise<Session<"allowed">> {
  const healthz = healthzFloors(url, timing);
  const allowed = await allowedPath(url, timing, healthz);
  return { floors: healthz.runs, measured: { allowed } };
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
    ...checkSpec(url, { policies: ["bench_flood"], user: "economics" }, 429),
    connections: timing.connections,
    durationS: 60,
    amount: timing.floodRequests,
  });
  const after = await isolateStats(url);
  const economics = {
    requests: result.answers,
    objectCalls: after.objectCalls - before.objectCalls,
    deniedFromCache: after.deniedFromCache - before.deniedFromCache,
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

/** Telegram's POST of those updates to `url`, with the webhook's secret. */
export function webhookSpec(url: string, timing: Timing): Spec {
  return {
    url,
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
    },
    body: telegramUpdates(timing),
    expectStatus: 200,
  };
}

export async function limiterScenarios(
  url: string,
  originUrl: string,
  timing: Timing,
): Promise<LimiterResults> {
  const healthz = healthzFloors(url, timing);
  const allowed = await allowedPath(url, timing, healthz);
  const disabled = await healthz.around(
    "POST /v1/check, disabled policy (no object call)",
    checkSpec(url, { policies: ["bench_disabled"], user: "anyone" }),
  );
  const global = await healthz.around(
    "POST /v1/check, global scope (one object)",
    checkSpec(url, { policies: ["bench_global"] }),
  );
  const flood = await healthz.around(
    "POST /v1/check, one key flooded",
    checkSpec(url, { policies: ["bench_flood"], user: "flooder" }, 429),
  );
  const webhook = webhookSpec(originUrl, timing);
  const telegram = await healthz.around(
    "POST /telegram/bench",
    webhookSpec(`${url}/telegram/bench`, timing),
  );
  await run(webhook, timing, timing.warmupS);
  const origin = await measure("POST straight to the origin", timing, webhook);
  const economics = await floodEconomics(url, timing);
  return {
    floors: healthz.runs,
    measured: { allowed, disabled, global, flood, telegram },
    origin,
    economics,
  };
}

export async function consumerScenarios(url: string, timing: Timing): Promise<Session<"hello">> {
  const notFound = floors(
    "consumer 404",
    { url: `${url}/no-such-route`, expectStatus: 404 },
    timing,
  );
  const users = rotatingUsers(timing.users);
  const helloSpec = {
    url: `${url}/hello`,
    perRequestHeaders: () => ({ "X-User": String(users()) }),
    expectStatus: 200,
  };
  await touchEveryUser(helloSpec, timing);
  const hello = await notFound.around("consumer GET /hello, check() over the binding", helloSpec);
  return { floors: notFound.runs, measured: { hello } };
}
