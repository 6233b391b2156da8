/** "12.5%", or "–" with nothing to divide. */
export const percent = (part: number, whole: number) =>
  whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)}%`;

const UNITS: [number, string][] = [
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "min"],
  [1_000, "s"],
];

/** "in 59 min", "until removed". */
export function expiry(expiresAt: number | undefined, nowMs: number): string {
  if (expiresAt === undefined) return "until removed";
  const leftMs = Math.max(0, expiresAt - nowMs);
  const [unit, name] = UNITS.find(([ms]) => leftMs >= ms) ?? [1_000, "s"];
  return `in ${Math.max(1, Math.round(leftMs / unit))} ${name}`;
}

/** A rule's identity as people read it: "user 42 in chat -100". */
export function identityText(rule: {
  user?: string | undefined;
  chat?: string | undefined;
  ip?: string | undefined;
  key?: string | undefined;
}): string {
  const parts: string[] = [];
  if (rule.user !== undefined) parts.push(`user ${rule.user}`);
  if (rule.chat !== undefined) parts.push(`${parts.length > 0 ? "in chat" : "chat"} ${rule.chat}`);
  if (rule.ip !== undefined) parts.push(`ip ${rule.ip}`);
  if (rule.key !== undefined) parts.push(`key ${rule.key}`);
  return parts.length === 0 ? "everyone" : parts.join(" ");
}

/** A limit as policies.json spells it: "rate 50, per 60", or "unlimited". */
export const limitText = (limit: "unlimited" | Record<string, number>) =>
  limit === "unlimited"
    ? "unlimited"
    : Object.entries(limit)
        .map(([name, value]) => `${name} ${value}`)
        .join(", ");
