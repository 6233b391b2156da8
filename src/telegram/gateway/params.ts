import { botApiError } from "./answers.ts";
import { boundaryOf, multipartFields } from "./multipart.ts";

/** A JSON or form call larger than this is refused (413); Telegram's own are far smaller. */
export const MAX_CALL_BYTES = 1024 * 1024;
/**
 * Of an upload (multipart), at most this much is held in memory. An upload that fits is kept
 * whole and can be sent again after Telegram's 429; a larger one streams on from what was
 * read, once: its 429 goes back to the caller, whose own retry sends it again.
 */
export const MAX_KEPT_UPLOAD_BYTES = 1024 * 1024;

export interface Call {
  /** The call's top-level parameters: its query string, overlaid by its body's fields. */
  fields: Record<string, unknown>;
  body: ArrayBuffer | ReadableStream<Uint8Array> | null;
  /** The body is held whole, so the call can be sent twice. */
  retryable: boolean;
  /** The body goes on without having been read to its end. */
  streamed: boolean;
}

interface Read {
  chunks: Uint8Array[];
  size: number;
  complete: boolean;
  reader: ReadableStreamDefaultReader<Uint8Array>;
}

async function readUpTo(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Read> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= maxBytes) {
    const { done, value } = await reader.read();
    if (done) return { chunks, size, complete: true, reader };
    chunks.push(value);
    size += value.byteLength;
  }
  return { chunks, size, complete: false, reader };
}

function joined(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** What was read, then the rest as it comes; with its declared length when there is one. */
function resumed(read: Read, length: number | undefined): ReadableStream<Uint8Array> {
  const { chunks, reader } = read;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  if (length === undefined) return stream;
  const fixed = new FixedLengthStream(length);
  stream.pipeTo(fixed.writable).catch(() => {});
  return fixed.readable;
}

const tooLarge = () =>
  botApiError(413, `Request Entity Too Large: at most ${MAX_CALL_BYTES} bytes without a file`);

/**
 * Reads a sending call's parameters, where clients put them: JSON (grammY, Telegraf), a form
 * (python-telegram-bot), multipart when a file is uploaded, or the query string.
 */
export async function readCall(request: Request): Promise<Call | Response> {
  const query: Record<string, unknown> = Object.fromEntries(new URL(request.url).searchParams);
  if (request.body === null) return { fields: query, body: null, retryable: true, streamed: false };
  const type = request.headers.get("Content-Type") ?? "";
  const boundary = boundaryOf(type);
  if (boundary !== undefined) {
    const read = await readUpTo(request.body, MAX_KEPT_UPLOAD_BYTES);
    const bytes = joined(read.chunks, read.size);
    const fields = { ...query, ...multipartFields(bytes, boundary) };
    if (read.complete) return { fields, body: bytes.buffer, retryable: true, streamed: false };
    const length = Number(request.headers.get("Content-Length") ?? Number.NaN);
    const body = resumed(read, Number.isSafeInteger(length) ? length : undefined);
    return { fields, body, retryable: false, streamed: true };
  }
  const read = await readUpTo(request.body, MAX_CALL_BYTES);
  if (!read.complete) {
    await read.reader.cancel();
    return tooLarge();
  }
  const bytes = joined(read.chunks, read.size);
  let fields = query;
  if (bytes.byteLength === 0) return { fields, body: null, retryable: true, streamed: false };
  if (/^application\/json/i.test(type)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return botApiError(400, "Bad Request: the body is not valid JSON");
    }
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      fields = { ...query, ...parsed };
    }
  } else if (/^application\/x-www-form-urlencoded/i.test(type)) {
    const form = new URLSearchParams(new TextDecoder().decode(bytes));
    fields = { ...query, ...Object.fromEntries(form) };
  }
  return { fields, body: bytes.buffer, retryable: true, streamed: false };
}
