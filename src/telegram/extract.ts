/**
 * Reads the facts the limiter keys on out of a raw Telegram update, without trusting its shape.
 *
 * Identities are namespaced because Telegram's id spaces overlap. A business chat carries the
 * same number as the bot's own private chat with that person, a guest chat is one the bot is
 * not even in, and a chat acting as a sender (anonymous admin, channel) must not share a bucket
 * with a user whose id happens to match. Plain ids stay bare, as Telegram and configs show them.
 *
 * Fingerprint (for debounce), first that applies: "text:", "caption:", "cb:" (callback data),
 * "inline:" (inline query text), "file:" (file_unique_id of the media; for a photo, the largest
 * size), "poll:" (poll id and chosen option ids). Debounce must catch what a person repeats (a
 * double-tapped button, the same sticker twice), so it uses content, never per-update ids. What
 * they typed outranks the attached file because that is what they retype. The kind prefix keeps
 * a text "x" and a callback "x" apart; the poll id keeps the same vote in two polls apart; the
 * largest photo size is picked by area because the order of sizes is not promised.
 */

import { type ExtractResult, type JsonObject, MAX_TYPE_LENGTH } from "./update/facts.ts";
import { EXTRACTORS } from "./update/kinds.ts";
import { compact, getInteger, isObject } from "./update/read.ts";

export type { ChatType, ExtractResult, UpdateFacts } from "./update/facts.ts";

/** Every update type this code reads, e.g. for setWebhook's allowed_updates. */
export const KNOWN_UPDATE_TYPES: readonly string[] = [...EXTRACTORS.keys()];
export const UPDATE_NOT_OBJECT = "update must be a JSON object";
export const BAD_UPDATE_ID = "update_id must be a non-negative integer";
export const UNREADABLE_UPDATE = "update could not be read";

function readUpdateId(update: JsonObject): number | undefined {
  const id = getInteger(update, "update_id");
  return id !== undefined && id >= 0 ? id : undefined;
}

function extract(update: unknown): ExtractResult {
  if (!isObject(update)) return { error: UPDATE_NOT_OBJECT };
  const updateId = readUpdateId(update);
  if (updateId === undefined) return { error: BAD_UPDATE_ID };
  const keys = Object.keys(update).filter((key) => key !== "update_id");
  for (const type of keys) {
    const extractor = EXTRACTORS.get(type);
    if (extractor !== undefined) {
      return { ...compact(extractor(update[type])), updateId, type, known: true };
    }
  }
  const type = (keys[0] ?? "unknown").slice(0, MAX_TYPE_LENGTH);
  return { updateId, type, known: false };
}

/** Never throws: a webhook must answer 2xx or Telegram re-sends the update forever. */
export function extractUpdate(update: unknown): ExtractResult {
  try {
    return extract(update);
  } catch {
    // Only reachable through exotic inputs (proxies, throwing getters), never from JSON.parse.
    return { error: UNREADABLE_UPDATE };
  }
}
