import type { Taken } from "../core/allowance.ts";
import { type Coordinated, refundAll } from "./coordinator.ts";
import type { TokenGrants } from "./grants.ts";
import type { SubjectObjects } from "./objects.ts";
import type { LeasedOutcome } from "./outcome.ts";
import type { CheckPlan } from "./plan.ts";

/**
 * A check's leased policies, spent last: once every object has admitted its batch, each
 * leased policy takes its tokens from the isolate's grants, so nothing can deny after a token
 * is spent. One that is refused denies the check: the tokens the others took go back to
 * their lots, and what the objects consumed is refunded. A leased admission keeps no
 * receipt, so no refund ticket or undo gives it back (that errs towards denying).
 */
export async function spendLeased(
  grants: TokenGrants,
  objects: SubjectObjects,
  plan: CheckPlan,
  run: Coordinated,
  cost: number,
  /** The generation of the rules the plan's limits come from. */
  generation: number,
): Promise<{ admitted: boolean; kept: Coordinated["kept"]; leased: Map<string, LeasedOutcome> }> {
  const leased = new Map<string, LeasedOutcome>();
  const due = plan.policies.flatMap((planned) => (planned.status === "leased" ? [planned] : []));
  if (due.length === 0 || !run.admitted || run.duplicate) {
    return { admitted: run.admitted, kept: run.kept, leased };
  }
  const taken: { stateKey: string; taken: Taken }[] = [];
  for (const { stateKey, subjectKey, limit } of due) {
    const spent = await grants.spend(stateKey, subjectKey, limit, cost, generation);
    leased.set(stateKey, spent);
    if (spent.allowed) {
      taken.push({ stateKey, taken: spent.taken });
      continue;
    }
    for (const back of taken) grants.giveBack(back.stateKey, back.taken);
    await refundAll(objects, run.kept);
    return { admitted: false, kept: [], leased };
  }
  return { admitted: true, kept: run.kept, leased };
}
