/**
 * The gateway answers as the Bot API does, so that a stock client reads its errors as it
 * reads Telegram's: `{ ok: false, error_code, description }`, and for a 429
 * `parameters.retry_after` in whole seconds.
 */
export function botApiError(status: number, description: string, retryAfterSeconds?: number) {
  const body: Record<string, unknown> = { ok: false, error_code: status, description };
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (retryAfterSeconds !== undefined) {
    body.parameters = { retry_after: retryAfterSeconds };
    headers["Retry-After"] = String(retryAfterSeconds);
  }
  return new Response(JSON.stringify(body), { status, headers });
}

export const unauthorized = () => botApiError(401, "Unauthorized");
export const notFound = () => botApiError(404, "Not Found");

/** The call could only go in `retryAfterMs`, past the bot's wait bound. */
export function tooManyRequests(retryAfterMs: number) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return botApiError(429, `Too Many Requests: retry after ${seconds}`, seconds);
}
