import { exports } from "cloudflare:workers";

export const TOKEN = "test-token";

/** Calls the worker as a client would. */
export function api(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    token?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== null) headers.Authorization = `Bearer ${init.token ?? TOKEN}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["Content-Type"] = "application/json";
  }
  return exports.default.fetch(`http://limiter.test${path}`, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
}

export async function check(body: unknown) {
  const res = await api("/v1/check", { body });
  return {
    res,
    json: (await res.json()) as Record<string, unknown> & {
      allowed: boolean;
      policies: Record<string, unknown>[];
    },
  };
}

/**
 * The error a call rejects with. For RPC stubs, in place of `expect(call).rejects`: that
 * reads properties of the stub's promise, each a pipelined call that rejects again, unhandled.
 */
export async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
}
