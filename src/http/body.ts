import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

export const MAX_API_BODY_BYTES = 64 * 1024;

/** The body as JSON, or a 400 that says why not; `empty` stands for a body with nothing in it. */
export async function readJson(c: Context, empty?: unknown): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (empty !== undefined) return empty;
    throw new HTTPException(400, { message: "the body is empty; send JSON" });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HTTPException(400, {
      message: `the body is not valid JSON: ${(error as Error).message}`,
    });
  }
}
