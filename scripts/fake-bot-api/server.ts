// The fake Bot API (fake.ts) as a server on loopback, for `npm run dev` and the runs on
// `wrangler dev`. Besides the Bot API it answers, for the runs that judge the gateway:
//   GET  /_fake/received                  every sending call received, with its time
//   POST /_fake/refuse?seconds=N&chat=ID  the next send (to that chat) gets Telegram's 429
//
//   npm run fake:telegram                               port 8081, the demo bot's token
//   node scripts/fake-bot-api/server.ts --port 0 --token T --limits '{"perChat":…}'
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FakeBotApi, type FakeLimits, type Received, TELEGRAM_VALUES } from "./fake.ts";

/** The demo bot's token in .dev.vars.example: `npm run dev` and this fake agree on it. */
export const DEMO_TOKEN = "123456:dev-bot-token";

function serve(fake: FakeBotApi, port: number): Promise<number> {
  const server = createServer(async (req, res) => {
    const receivedAtMs = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let response: Response;
    if (url.pathname === "/_fake/received") {
      response = Response.json(fake.received);
    } else if (url.pathname === "/_fake/refuse" && req.method === "POST") {
      fake.refuseNext(
        Number(url.searchParams.get("seconds")),
        url.searchParams.get("chat") ?? undefined,
      );
      response = Response.json({ ok: true });
    } else {
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      response = await fake.fetch(
        new Request(url, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: hasBody ? Buffer.concat(chunks) : undefined,
        }),
        receivedAtMs,
      );
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

const self = fileURLToPath(import.meta.url);

if (process.argv[1] === self) {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8081" },
      token: { type: "string", default: DEMO_TOKEN },
      limits: { type: "string" },
      child: { type: "boolean", default: false },
    },
  });
  const limits = values.limits ? (JSON.parse(values.limits) as FakeLimits) : TELEGRAM_VALUES;
  const port = await serve(new FakeBotApi({ token: values.token, limits }), Number(values.port));
  if (values.child) {
    console.log(port);
    // Ends with its parent, whichever way the parent goes.
    process.stdin.resume();
    process.stdin.on("close", () => process.exit(0));
  } else {
    console.log(`fake Bot API on http://127.0.0.1:${port}, for the bot token ${values.token}`);
    console.log(`limits: ${JSON.stringify(limits)}`);
  }
}

export interface FakeServer {
  url: string;
  received(): Promise<Received[]>;
  refuseNext(seconds: number, chat?: string): Promise<void>;
}

/** The fake in a process of its own, so its receive times do not wait on the caller's loop. */
export function startFakeBotApi(token: string, limits: FakeLimits): Promise<FakeServer> {
  const args = [
    self,
    "--port",
    "0",
    "--token",
    token,
    "--limits",
    JSON.stringify(limits),
    "--child",
  ];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  process.on("exit", () => child.kill("SIGKILL"));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the fake Bot API exited with ${code}`)));
    child.stdout.once("data", (chunk) => {
      const url = `http://127.0.0.1:${Number(String(chunk).trim())}`;
      resolve({
        url,
        received: async () => (await (await fetch(`${url}/_fake/received`)).json()) as Received[],
        refuseNext: async (seconds, chat) => {
          const query = new URLSearchParams({ seconds: String(seconds), ...(chat && { chat }) });
          await (await fetch(`${url}/_fake/refuse?${query}`, { method: "POST" })).arrayBuffer();
        },
      });
    });
  });
}
