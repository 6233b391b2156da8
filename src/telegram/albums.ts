import { subjectKey } from "../core/keys.ts";
import type { GroupClaim } from "../limiter/decided.ts";
import type { UpdateFacts } from "./extract.ts";

/**
 * How long an album's first update decides for the rest. Telegram sends an album's updates
 * within a second or two; a minute leaves room for its re-sends of one that failed. A member
 * arriving later is decided on its own.
 */
export const ALBUM_WINDOW_MS = 60_000;

/**
 * The group an update counts in when it is part of an album: one per album, sender, update
 * type and bot, kept in the sender's own object (the user's, or a channel's chat), which
 * every update of the album reaches whatever rule it matches.
 */
export function albumOf(app: string, bot: string, facts: UpdateFacts): GroupClaim | undefined {
  if (facts.mediaGroupId === undefined) return undefined;
  const sender =
    facts.userId !== undefined
      ? { scope: "user" as const, ids: [facts.userId] }
      : facts.chatId !== undefined
        ? { scope: "chat" as const, ids: [facts.chatId] }
        : undefined;
  if (sender === undefined) return undefined;
  return {
    key: `album.${bot}.${facts.type}.${facts.mediaGroupId}`,
    subjectKey: subjectKey({ app, ...sender }),
    windowMs: ALBUM_WINDOW_MS,
  };
}
