// A no-op webhook origin on loopback: reads the body, answers 200 with an empty JSON object.
// `startOrigin()` runs this file as a process of its own, so that the origin does not share
// an event loop with the load generator; the child prints the port it listens on.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);

if (process.argv[1] === self) {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "2" });
      res.end("{}");
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") process.exit(1);
    console.log(address.port);
  });
  // Ends with its parent, whichever way the parent goes.
  process.stdin.resume();
  process.stdin.on("close", () => process.exit(0));
}

/** The origin's URL; it stops when this process exits. */
export function startOrigin(): Promise<string> {
  // process.execPath: the Node 22 running this script, which strips the types.
  const child = spawn(process.execPath, [self], { stdio: ["pipe", "pipe", "inherit"] });
  process.on("exit", () => child.kill("SIGKILL"));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`origin exited with ${code}`)));
    child.stdout.once("data", (chunk) => {
      const port = Number(String(chunk).trim());
      if (Number.isInteger(port)) resolve(`http://127.0.0.1:${port}/`);
      else reject(new Error(`origin printed ${String(chunk)}`));
    });
  });
}
