const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADERS_END = encoder.encode("\r\n\r\n");

/** The boundary of a multipart/form-data content type, or undefined. */
export function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  outer: for (
    let i = bytes.indexOf(first as number, from);
    i !== -1;
    i = bytes.indexOf(first as number, i + 1)
  ) {
    if (i + needle.length > bytes.length) return -1;
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The field a part's headers name, unless the part is a file. */
function fieldName(headers: string): string | undefined {
  for (const line of headers.split("\r\n")) {
    const [key, ...rest] = line.split(":");
    if (key?.trim().toLowerCase() !== "content-disposition") continue;
    const value = rest.join(":");
    if (/;\s*filename\*?=/i.test(value)) return undefined;
    const match = /;\s*name=(?:"([^"]*)"|([^\s;]+))/i.exec(value);
    return match?.[1] ?? match?.[2];
  }
  return undefined;
}

/**
 * The text fields of the complete parts within `bytes`, the start of a multipart body
 * (or all of it); file parts are skipped, and a part cut off at the end is not read. Only a
 * few small fields are wanted (chat_id and the like), and the bytes must go on unchanged, so
 * this reads what is already held rather than parse the stream.
 */
export function multipartFields(bytes: Uint8Array, boundary: string): Record<string, string> {
  // No prototype: a part named "__proto__" is a field like any other.
  const fields: Record<string, string> = Object.create(null);
  const first = encoder.encode(`--${boundary}`);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let at = indexOf(bytes, first, 0);
  if (at === -1) return fields;
  let start = at + first.length;
  for (;;) {
    // "--" after a delimiter closes the body; otherwise a line break opens the next part.
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) break;
    if (bytes[start] === 0x0d && bytes[start + 1] === 0x0a) start += 2;
    const end = indexOf(bytes, delimiter, start);
    if (end === -1) break;
    const headersEnd = indexOf(bytes, HEADERS_END, start);
    if (headersEnd !== -1 && headersEnd <= end) {
      const name = fieldName(decoder.decode(bytes.subarray(start, headersEnd)));
      if (name !== undefined && !Object.hasOwn(fields, name)) {
        fields[name] = decoder.decode(bytes.subarray(headersEnd + HEADERS_END.length, end));
      }
    }
    at = end;
    start = end + delimiter.length;
  }
  return fields;
}
