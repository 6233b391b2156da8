import { envValue } from "../platform/secrets.ts";

export type Forwarded =
  | { ok: true; response: Response }
  /** The origin answered, but not with 2xx: Telegram will re-send, so it goes back as is. */
  | { ok: false; response: Response; reason: string };

function isFetcher(value: unknown): value is Fetcher {
  return typeof value === "object" && value !== null && "fetch" in value;
}

/**
 * Sends the update to the bot's origin: its original bytes, the secret the origin checks,
 * and the limiter's decision in `X-Limiter-*` headers. The origin's answer, including a
 * webhook-reply body, is returned unchanged; a 5xx, a network error or a timeout becomes a
 * 502, which makes Telegram retry later.
 */
export async function forward(
  env: object,
  origin: string,
  body: ArrayBuffer,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Forwarded> {
  const byUrl = origin.includes("://");
  const binding = byUrl ? undefined : envValue(env, origin);
  if (!byUrl && !isFetcher(binding)) {
    return failed(`origin binding ${origin} is not configured`);
  }
  const url = isFetcher(binding) ? "https://origin.internal/" : origin;
  const request = new Request(url, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  let response: Response;
  try {
    response = await (isFetcher(binding) ? binding.fetch(request) : fetch(request));
  } catch (error) {
    const name = (error as Error).name;
    return failed(
      name === "TimeoutError"
        ? `origin timed out after ${timeoutMs} ms`
        : `origin unreachable (${name})`,
    );
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    return failed(`origin answered ${response.status}`);
  }
  if (response.status >= 300)
    return { ok: false, response, reason: `origin answered ${response.status}` };
  return { ok: true, response };
}

function failed(reason: string): Forwarded {
  return { ok: false, reason, response: Response.json({ error: "bad gateway" }, { status: 502 }) };
}
