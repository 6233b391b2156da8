/** How the gateway reaches the Bot API server: `fetch`, or a fake one in the tests. */
export type Fetch = (request: Request) => Promise<Response>;

/** The Bot API server's answer, or why there is none. Never carries the URL: it holds the token. */
export type Upstream = { ok: true; response: Response } | { ok: false; reason: string };

/**
 * Sends a call on to the Bot API server at `upstream`, where `path` (which holds the token)
 * leads: the same method, the body's bytes and type, nothing else of the caller's request.
 */
export async function callUpstream(
  fetcher: Fetch,
  upstream: string,
  path: string,
  init: { method: string; contentType: string | null; body: BodyInit | null },
): Promise<Upstream> {
  const headers = new Headers();
  if (init.contentType !== null && init.body !== null)
    headers.set("Content-Type", init.contentType);
  try {
    const request = new Request(`${upstream}/${path}`, {
      method: init.method,
      headers,
      body: init.body,
    });
    return { ok: true, response: await fetcher(request) };
  } catch (error) {
    // The error's message may quote the URL, and with it the token: only its name is kept.
    return { ok: false, reason: `upstream unreachable (${(error as Error).name})` };
  }
}

/** Telegram's `parameters.retry_after` of a 429 answer, in milliseconds. */
export async function retryAfterMsOf(response: Response): Promise<number | undefined> {
  try {
    const body = (await response.clone().json()) as { parameters?: { retry_after?: unknown } };
    const seconds = body.parameters?.retry_after;
    if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) {
      return Math.min(seconds, 24 * 3600) * 1000;
    }
  } catch {}
  return undefined;
}
