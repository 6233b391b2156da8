import type { BucketSource } from "../config/telegram.ts";
import { identifierProblem } from "../core/keys.ts";
import type { UpdateFacts } from "./extract.ts";

const CALLBACK_ACTION_END = ":";

/** The part of an update that `bucketFrom` names, if the update has it. */
function part(source: BucketSource, facts: UpdateFacts): string | undefined {
  switch (source) {
    case "command":
      return facts.command;
    case "callbackAction":
      // "vote:42:yes" is the action "vote", as aiogram-sentinel reads callback data.
      return facts.callbackData?.split(CALLBACK_ACTION_END, 1)[0];
    case "updateType":
      return facts.type;
  }
}

/**
 * The bucket a rule's per-bucket policies count an update in. Undefined when the update has
 * no such part, or one that cannot be a key part (empty, control characters): those policies
 * are then skipped, reported as needing a bucket, and the rule's other policies count as ever.
 */
export function updateBucket(
  source: BucketSource | undefined,
  facts: UpdateFacts,
): string | undefined {
  const bucket = source === undefined ? undefined : part(source, facts);
  return bucket !== undefined && identifierProblem(bucket) === undefined ? bucket : undefined;
}
