import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";

export const MAX_API_BODY_BYTES = 64 * 1024;

/** Refuses bodies over `maxBytes` with 413, whether or not they declare a length. */
export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HTTPException(413, { message: `the body must be at most ${maxBytes} bytes` });
    },
  });

/** The body as JSON, or a 400 that says why not. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new HTTPException(400, { message: "the body is empty; send JSON" });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HTTPException(400, {
      message: `the body is not valid JSON: ${(error as Error).message}`,
    });
  }
}
