import type { Coordinated, PlacedClaim } from "./coordinator.ts";
import { refundAll } from "./coordinator.ts";
import type { GroupClaim } from "./decided.ts";
import type { LeasedStep } from "./leased.ts";
import type { SubjectObjects } from "./objects.ts";
import { consumed } from "./outcome.ts";
import type { CheckPlan } from "./plan.ts";
import type { BatchOutcome } from "./protocol.ts";

/**
 * Decides a member of a group (an album's update) so that the group counts once. The group's
 * object is asked first, whatever policies this member counts (the members of one album may
 * match different rules): a verdict already there is followed, and no other object is
 * called. Otherwise this member decides for the group: its own batch there, the other
 * objects after, and the verdict kept where the next member will look.
 *
 * One round trip more than an ordinary check for a group's first member, when its policies
 * live in other objects than the group's; one round trip in all for the rest. A member that
 * arrives while the first is still being decided (the verdict pending) is decided on its own.
 */
export async function coordinateGroup(
  objects: SubjectObjects,
  plan: CheckPlan,
  claim: PlacedClaim & { group: GroupClaim },
  leased?: LeasedStep,
): Promise<Coordinated> {
  const { group } = claim;
  const homeIndex = plan.batches.findIndex((batch) => batch.subjectKey === group.subjectKey);
  const others = plan.batches.filter((_, i) => i !== homeIndex);
  // Final at once only when nothing else decides: leased policies are spent after it.
  const final = others.length === 0 && leased === undefined;
  const call = { key: group.key, windowMs: group.windowMs, final };
  const homeItems = plan.batches[homeIndex]?.items ?? [];
  const home = await objects.check(group.subjectKey, homeItems, claim.key, call);
  const base = { claimSubjectKey: group.subjectKey, kept: [], outcomes: [] };
  if (home.duplicate) return { ...base, admitted: false, duplicate: true, refused: true };
  if (home.group === "followed") {
    return {
      ...base,
      admitted: home.admitted,
      duplicate: false,
      refused: !home.admitted,
      group: "followed",
    };
  }
  // Denied where the group is kept, the member is denied: the others need not be asked.
  const notAsked: BatchOutcome = { admitted: true, items: [] };
  const answers = home.admitted
    ? await Promise.all(others.map((b) => objects.check(b.subjectKey, b.items)))
    : others.map(() => notAsked);
  const outcomes: BatchOutcome[] = plan.batches.map((_, i) =>
    i === homeIndex ? home : (answers[i < homeIndex || homeIndex < 0 ? i : i - 1] as BatchOutcome),
  );
  const objectsAdmitted = outcomes.every((outcome) => outcome.admitted) && home.admitted;
  const admitted = objectsAdmitted && leased ? await leased.spend() : objectsAdmitted;
  const taken = consumed(plan, outcomes);
  if (!admitted) await refundAll(objects, taken);
  const led = home.group === "led";
  if (led && !call.final && home.admitted) {
    // Unsettled, the verdict stays pending until the window ends, and members arriving till
    // then are decided on their own: counted more than once, never admitted unchecked.
    await objects
      .settleGroup(group.subjectKey, group.key, admitted, group.windowMs)
      .catch((error: unknown) => {
        console.error(JSON.stringify({ event: "group_settle_failed", error: String(error) }));
      });
  }
  return {
    outcomes,
    admitted,
    duplicate: false,
    refused: false,
    // What the first member consumed stands for the group: undoing it would leave the
    // members that followed counted by nobody.
    kept: admitted && !led ? taken : [],
    claimSubjectKey: group.subjectKey,
    group: led ? "led" : undefined,
  };
}
