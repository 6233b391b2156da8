const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * Compares secrets in constant time. Hashing first gives both sides one length, so neither
 * the contents nor the length of the secret leak through timing.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** A secret or binding by the name a config gives; config names are checked, env is not. */
export function envValue(env: object, name: string): unknown {
  return Object.hasOwn(env, name) || name in env
    ? (env as Record<string, unknown>)[name]
    : undefined;
}
