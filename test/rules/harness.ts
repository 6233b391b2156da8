import { env } from "cloudflare:workers";
import { createApp } from "../../src/app.ts";
import { Registry } from "../../src/config/registry.ts";
import { rpcAdminMethods } from "../../src/rpc/admin.ts";
import { rpcMethods } from "../../src/rpc/methods.ts";
import { servicesFor } from "../app.ts";
import { TOKEN } from "../helpers.ts";

export const ADMIN = "test-admin-token";

/** Policies of these tests' own: small limits, one of each scope a rule can name. */
export const rulesRegistry = Registry.fromJson({
  app: "rules",
  policies: {
    per_user: { kind: "throttle", rate: 2, per: 3600, scope: "user" },
    per_user_b: { kind: "throttle", rate: 2, per: 3600, scope: "user" },
    per_chat: { kind: "throttle", rate: 2, per: 3600, scope: "chat" },
    per_group: { kind: "throttle", rate: 2, per: 3600, scope: "group" },
    per_ip: { kind: "throttle", rate: 2, per: 3600, scope: "ip" },
    per_key: { kind: "window", limit: 2, window: 3600, scope: "key" },
    everyone: { kind: "throttle", rate: 1000, per: 1, scope: "global" },
    jobs: { kind: "concurrency", limit: 1, ttl: 600, scope: "user" },
  },
});

/**
 * One isolate: its own services (limiter, rules cache, admin) over the shared objects, with a
 * clock the test moves. Several of these stand for several isolates of one deployment.
 */
export function isolate(startMs = Date.now()) {
  let nowMs = startMs;
  const background: Promise<unknown>[] = [];
  const services = servicesFor(rulesRegistry, env.LIMITER, {
    clock: () => nowMs,
    background: (work) => background.push(work),
  });
  const app = createApp(services);
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    token = TOKEN,
    ip?: string,
  ) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (ip !== undefined) headers["CF-Connecting-IP"] = ip;
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const res = await app.request(path, init, env);
    // biome-ignore lint/suspicious/noExplicitAny: the tests read answers' JSON freely
    return { res, status: res.status, json: (await res.json()) as Record<string, any> };
  };
  return {
    services,
    request,
    rpc: rpcMethods(services),
    admin: rpcAdminMethods(services),
    advance: (ms: number) => {
      nowMs += ms;
    },
    now: () => nowMs,
    /** Waits for the refreshes this isolate started in the background. */
    settled: () => Promise.all(background.splice(0)),
    check: (body: object, ip?: string) => request("POST", "/v1/check", body, TOKEN, ip),
    peek: (body: object, ip?: string) => request("POST", "/v1/peek", body, TOKEN, ip),
    lease: (body: object) => request("POST", "/v1/leases", body),
    adminCall: (method: string, path: string, body?: unknown, token = ADMIN) =>
      request(method, `/v1/admin${path}`, body, token),
  };
}

let unique = 0;
/** An id no other test uses, so rules from one test never touch another's checks. */
export const fresh = (prefix = "u") => `${prefix}${Date.now().toString(36)}${unique++}`;
