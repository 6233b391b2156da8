import { env } from "cloudflare:workers";
import { Hono } from "hono";
import type { Registry } from "../../src/config/registry.ts";
import { dashboardRoutes } from "../../src/dashboard/routes.tsx";
import { ADMIN, metricsIsolate } from "../metrics/harness.ts";

export const ORIGIN = "http://localhost";

/**
 * A browser on the dashboard of one isolate: it keeps the session cookie, sends forms as a
 * browser does (urlencoded, with its Origin), and reads the token each form carries.
 */
export function browser(
  registry: Registry,
  options: { clock?: () => number; metrics?: object } = {},
) {
  const node = metricsIsolate(registry, { metrics: options.metrics });
  const app = options.clock
    ? new Hono().route("/dashboard", dashboardRoutes(node.services, options.clock))
    : node.app;
  let cookie = "";
  let lastPage = "";
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookie !== "" && !headers.has("Cookie")) headers.set("Cookie", cookie);
    const res = await app.request(path, { ...init, headers, redirect: "manual" }, env);
    const set = res.headers.get("Set-Cookie");
    if (set) cookie = set.split(";")[0]?.endsWith("=") ? "" : (set.split(";")[0] as string);
    return res;
  };
  const csrf = () => /name="_csrf" value="([^"]+)"/.exec(lastPage)?.[1] ?? "";
  return {
    node,
    request,
    cookie: () => cookie,
    setCookie: (value: string) => {
      cookie = value;
    },
    /** The token the forms of the page last read carry. */
    csrf,
    async get(path = "/dashboard") {
      const res = await request(path);
      lastPage = await res.text();
      return { res, html: lastPage };
    },
    /** Posts a form the way a browser on the page would: its Origin, its session's token. */
    async post(
      path: string,
      fields: Record<string, string | string[]>,
      extra: { csrf?: string; origin?: string | null } = {},
    ) {
      const body = new URLSearchParams();
      body.set("_csrf", extra.csrf ?? csrf());
      for (const [name, value] of Object.entries(fields)) {
        for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
      }
      const headers: Record<string, string> = {
        "Content-Type": "application/x-www-form-urlencoded",
      };
      if (extra.origin !== null) headers.Origin = extra.origin ?? ORIGIN;
      const res = await request(path, { method: "POST", headers, body: body.toString() });
      const html = res.status === 303 ? "" : await res.text();
      if (html !== "") lastPage = html;
      return { res, html };
    },
    async signIn(token = ADMIN) {
      return this.post("/dashboard/sign-in", { token });
    },
  };
}
