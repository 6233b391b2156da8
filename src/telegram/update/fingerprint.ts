import { get, getInteger, getNonEmptyString, getString } from "./read.ts";

// Fingerprints: what debounce compares (see ../extract.ts for the order and why).

const MEDIA_FIELDS = [
  "document",
  "video",
  "audio",
  "voice",
  "video_note",
  "animation",
  "sticker",
] as const;

function largestPhotoId(sizes: unknown): string | undefined {
  if (!Array.isArray(sizes)) return undefined;
  let best: string | undefined;
  let bestArea = -1;
  for (const size of sizes) {
    const id = getNonEmptyString(size, "file_unique_id");
    const area = (getInteger(size, "width") ?? 0) * (getInteger(size, "height") ?? 0);
    if (id !== undefined && area >= bestArea) {
      best = id;
      bestArea = area;
    }
  }
  return best;
}

function mediaId(message: unknown): string | undefined {
  const photo = largestPhotoId(get(message, "photo"));
  if (photo !== undefined) return photo;
  for (const field of MEDIA_FIELDS) {
    const id = getNonEmptyString(get(message, field), "file_unique_id");
    if (id !== undefined) return id;
  }
  return undefined;
}

export function messageFingerprint(message: unknown): string | undefined {
  const text = getNonEmptyString(message, "text");
  if (text !== undefined) return `text:${text}`;
  const caption = getNonEmptyString(message, "caption");
  if (caption !== undefined) return `caption:${caption}`;
  const file = mediaId(message);
  return file === undefined ? undefined : `file:${file}`;
}

export function pollAnswerFingerprint(answer: unknown): string | undefined {
  const pollId = getString(answer, "poll_id");
  const options = get(answer, "option_ids");
  if (pollId === undefined || !Array.isArray(options)) return undefined;
  const ids = options.filter((id) => typeof id === "number" && Number.isSafeInteger(id));
  return `poll:${pollId}:${ids.join(",")}`;
}
