import type { GroupClaim, SubjectRefunds } from "./decided.ts";
import { coordinateGroup } from "./groups.ts";
import type { LeasedStep } from "./leased.ts";
import type { SubjectObjects } from "./objects.ts";
import { consumed } from "./outcome.ts";
import type { CheckPlan } from "./plan.ts";
import type { BatchOutcome } from "./protocol.ts";

/** A claim, and the object that keeps it (for a group's member: the group's object). */
export interface PlacedClaim {
  key: string;
  subjectKey: string;
  group?: GroupClaim | undefined;
}

export interface Coordinated {
  /** One per batch of the plan (a claim with no batch adds none). */
  outcomes: BatchOutcome[];
  /** Every object admitted its batch: then, and only then, everything stays consumed. */
  admitted: boolean;
  duplicate: boolean;
  /** Nothing was decided, and the answer is no: a duplicate, or a group's denied verdict. */
  refused: boolean;
  /** With a group claim: whether this check led the group or followed its verdict. */
  group?: "led" | "followed" | undefined;
  /** What stays consumed: empty unless admitted. */
  kept: SubjectRefunds[];
  /** The object that keeps the claim, if any. */
  claimSubjectKey?: string | undefined;
}

/**
 * Sends each batch of a plan to its object, all at once, then spends its leased policies if
 * every object admitted, and keeps the check all or nothing: when anything denies, what the
 * objects consumed is refunded. Between a consumption and its refund (one round trip)
 * another check may see less than is there: that errs towards denying, never admitting.
 */
export async function coordinate(
  objects: SubjectObjects,
  plan: CheckPlan,
  claim?: PlacedClaim,
  leased?: LeasedStep,
): Promise<Coordinated> {
  if (claim?.group !== undefined) {
    return coordinateGroup(objects, plan, { ...claim, group: claim.group }, leased);
  }
  // The claim rides along with its object's call where the plan calls it, so de-duplication
  // costs no extra request; otherwise it goes to its own.
  const batches = plan.batches;
  const claimSubjectKey = claim?.subjectKey;
  const rides = batches.some((batch) => batch.subjectKey === claimSubjectKey);
  const calls =
    claimSubjectKey === undefined || rides
      ? batches
      : [...batches, { subjectKey: claimSubjectKey, items: [] }];
  const outcomes = await Promise.all(
    calls.map(({ subjectKey, items }) =>
      objects.check(subjectKey, items, subjectKey === claimSubjectKey ? claim?.key : undefined),
    ),
  );
  const duplicate = outcomes.some((outcome) => outcome.duplicate);
  const objectsAdmitted = outcomes.every((outcome) => outcome.admitted);
  const admitted = objectsAdmitted && !duplicate && leased ? await leased.spend() : objectsAdmitted;
  const taken = consumed(plan, outcomes);
  if (!admitted) await refundAll(objects, taken);
  return {
    outcomes: outcomes.slice(0, batches.length),
    admitted,
    duplicate,
    refused: duplicate,
    kept: admitted ? taken : [],
    claimSubjectKey,
  };
}

/**
 * Gives back what a decision consumed. Refunds are never retried, and one that fails leaves
 * the subject charged for nothing, which can deny, never over-admit.
 */
export async function refundAll(objects: SubjectObjects, refunds: SubjectRefunds[]) {
  const results = await Promise.allSettled(
    refunds.map(({ subjectKey, items }) => objects.refund(subjectKey, items)),
  );
  for (const result of results) {
    if (result.status === "rejected") {
      console.error(JSON.stringify({ event: "refund_failed", error: String(result.reason) }));
    }
  }
}
