// The README's "Telegram bots → From zero", followed as written for a second bot: add it to
// policies.json, list its secret in wrangler.toml, put the secret in .dev.vars, start
// `wrangler dev`, and send it an update as Telegram would. It must be forwarded (200).
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { startDev } from "./dev-server.ts";
import { e2ePolicies } from "./policies.ts";
import type { Row } from "./report.ts";
import { makeSandbox } from "./sandbox.ts";

const SECRET_NAME = "TELEGRAM_SECRET_MYBOT";
const SECRET = "second-bot-secret_1";

/** An origin on loopback that records the secret each update came with. */
function origin(): Promise<{ url: string; secrets: string[]; close: () => void }> {
  const secrets: string[] = [];
  const server = createServer((req, res) => {
    secrets.push(String(req.headers["x-telegram-bot-api-secret-token"] ?? ""));
    req.resume();
    req.on("end", () => res.end(""));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ url: `http://localhost:${port}/webhook`, secrets, close: () => server.close() });
    });
  });
}

export async function secondBot(persistTo: string): Promise<Row> {
  const bot = await origin();
  // Step 1: the bot in policies.json, beside the policies.
  const dir = makeSandbox({
    ...e2ePolicies,
    telegram: {
      bots: {
        mybot: {
          origin: bot.url,
          secretTokenSecret: SECRET_NAME,
          default: { policies: ["e2e_throttle"] },
        },
      },
    },
  });
  // Step 2: its secret's name in wrangler.toml's [secrets] required.
  const tomlPath = join(dir, "wrangler.toml");
  const wrangler = parseToml(readFileSync(tomlPath, "utf8")) as { secrets: { required: string[] } };
  wrangler.secrets.required.push(SECRET_NAME);
  writeFileSync(tomlPath, stringifyToml(wrangler));
  // Step 3: the secret itself in .dev.vars.
  appendFileSync(join(dir, ".dev.vars"), `${SECRET_NAME}=${SECRET}\n`);
  const server = await startDev({ cwd: dir, persistTo });
  try {
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 1767225600,
        chat: { id: 777, type: "private", first_name: "E" },
        from: { id: 777, is_bot: false, first_name: "E" },
        text: "hello",
      },
    };
    const res = await fetch(`${server.url}/telegram/mybot`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    const forwarded = bot.secrets.filter((secret) => secret === SECRET).length;
    return {
      check: "a second bot added as the README says: forwarded with its own secret",
      sent: 1,
      admitted: res.status === 200 ? 1 : 0,
      allowance: `answered ${res.status}; the origin saw its secret ${forwarded} time(s)`,
      overAdmitted: 0,
      admittedShare: res.status === 200 ? "100%" : "0%",
      failed: res.status === 200 ? 0 : 1,
      ok: res.status === 200 && forwarded === 1,
    };
  } finally {
    await server.stop();
    bot.close();
  }
}
