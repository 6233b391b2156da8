// A no-op webhook origin on loopback: reads the body, answers 200 with an empty JSON object.
// Its own process, so it does not share an event loop with the load generator.
//   node bench/origin-server.ts   prints the port it listens on
import { createServer } from "node:http";

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
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
