import fc from "fast-check";

/** Values an attacker or a buggy client sends where ids, costs and names belong. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "",
    ":",
    "a:b",
    "user_throttle",
    "x".repeat(10_000),
    "\u0000",
    "\n",
    "💥".repeat(100),
    "ñandú",
    "__proto__",
    "constructor",
    -1,
    0,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    null,
    [],
    {},
    "NaN",
    "Infinity",
  ),
  fc.string({ maxLength: 300, unit: "grapheme" }),
  fc.integer(),
  fc.double(),
  fc.anything({ maxDepth: 3 }),
);

/** A valid request with some fields replaced by hostile values, or unknown fields added. */
export function mutated(valid: Record<string, unknown>, fields: string[]): fc.Arbitrary<unknown> {
  return fc
    .record({
      replace: fc.subarray(fields),
      values: fc.array(hostileValue, { minLength: fields.length, maxLength: fields.length }),
      extra: fc.option(fc.dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 3 })),
    })
    .map(({ replace, values, extra }) => {
      const body: Record<string, unknown> = { ...valid, ...(extra ?? {}) };
      replace.forEach((field, i) => {
        body[field] = values[i];
      });
      return body;
    });
}

/** Raw bodies that are not JSON objects at all, or are pathological JSON. */
export const rawBody: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    "[".repeat(20_000) + "]".repeat(20_000),
    `{"a":${"[".repeat(5_000)}${"]".repeat(5_000)}}`,
    '{"policies":["user_throttle"],"user":"a","cost":NaN}',
    '{"policies":["user_throttle"],"user":"a","cost":Infinity}',
    "null",
    "1",
    '"string"',
    "\uFEFF{}",
  ),
  fc.anything({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? "undefined"),
);

/** No stack trace, source path or runtime internals in what a client reads. */
export const STACK_TRACE = /\n\s+at |\.ts:\d+|node_modules|\bError:\s/;
