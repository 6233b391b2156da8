import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";

/**
 * Refuses bodies over `maxBytes` with 413, whether or not they declare a length: the body is
 * counted as it streams in, so an oversized one is never held in memory whole.
 */
export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HTTPException(413, { message: `the body must be at most ${maxBytes} bytes` });
    },
  });
