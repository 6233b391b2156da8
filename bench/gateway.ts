// The Bot API gateway's overhead per call: the same calls through `wrangler dev` and straight
// to the fake Bot API (a process of its own), measured one after the other in one run.

import { BOT_TOKEN } from "../scripts/e2e/sandbox.ts";
import type { Timing } from "./e2e.ts";
import { type LoadResult, load } from "./load.ts";

/** Chats the calls rotate over: each chat's sends are 50 ms apart at least, for their order. */
const CHATS = 10_000;

export interface GatewayResults {
  sendDirect: LoadResult;
  sendThrough: LoadResult;
  getMeDirect: LoadResult;
  getMeThrough: LoadResult;
}

function sendMessages() {
  let n = 0;
  return () => JSON.stringify({ chat_id: 1 + (n++ % CHATS), text: "bench" });
}

async function measure(
  name: string,
  url: string,
  body: (() => string) | undefined,
  timing: Timing,
) {
  const spec = {
    url,
    method: "POST" as const,
    headers: { "Content-Type": "application/json" },
    body: body ?? "{}",
    expectStatus: 200,
    connections: timing.connections,
  };
  await load({ ...spec, durationS: timing.warmupS });
  const result = await load({ ...spec, durationS: timing.durationS });
  console.log(
    `  ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
  );
  return result;
}

export async function gatewayScenarios(
  url: string,
  fakeUrl: string,
  timing: Timing,
): Promise<GatewayResults> {
  const through = `${url}/telegram/benchgw/bot${BOT_TOKEN}`;
  const direct = `${fakeUrl}/bot${BOT_TOKEN}`;
  return {
    sendDirect: await measure(
      "sendMessage straight to the fake",
      `${direct}/sendMessage`,
      sendMessages(),
      timing,
    ),
    sendThrough: await measure(
      "sendMessage through the gateway",
      `${through}/sendMessage`,
      sendMessages(),
      timing,
    ),
    getMeDirect: await measure("getMe straight to the fake", `${direct}/getMe`, undefined, timing),
    getMeThrough: await measure("getMe through the gateway", `${through}/getMe`, undefined, timing),
  };
}
