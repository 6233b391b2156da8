import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { appFor } from "../app.ts";

const app = appFor();
const OLD = "old-token-4f1c";
const NEW = "new-token-9a2e";

/** `GET /v1/policies` with `token`, on a worker whose secrets are `secrets`. */
function policies(token: string, secrets: Record<string, string | undefined>) {
  return app.request(
    "/v1/policies",
    { headers: { Authorization: `Bearer ${token}` } },
    { ...env, API_TOKEN: undefined, ...secrets },
  );
}

describe("rotating API_TOKEN without downtime", () => {
  it("accepts the old and the new token while both are set, and only the new one after", async () => {
    // 1. wrangler secret put API_TOKEN_NEXT: both work, so clients can switch one by one.
    const overlap = { API_TOKEN: OLD, API_TOKEN_NEXT: NEW };
    expect((await policies(OLD, overlap)).status).toBe(200);
    expect((await policies(NEW, overlap)).status).toBe(200);
    expect((await policies("neither", overlap)).status).toBe(401);
    // 2. wrangler secret put API_TOKEN (the new value), then delete API_TOKEN_NEXT.
    const after = { API_TOKEN: NEW };
    const old = await policies(OLD, after);
    expect(old.status).toBe(401);
    expect(await old.json()).toEqual({ error: "invalid bearer token" });
    expect((await policies(NEW, after)).status).toBe(200);
  });

  it("accepts the next token alone, and says when neither is configured", async () => {
    expect((await policies(NEW, { API_TOKEN_NEXT: NEW })).status).toBe(200);
    const none = await policies(OLD, { API_TOKEN_NEXT: "" });
    expect(none.status).toBe(503);
    expect(await none.json()).toEqual({ error: "the server has no API_TOKEN configured" });
  });
});
