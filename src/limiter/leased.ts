import type { Taken } from "../core/allowance.ts";
import type { TokenGrants } from "./grants.ts";
import type { LeasedOutcome } from "./outcome.ts";
import type { CheckPlan } from "./plan.ts";

/** A check's leased policies, spent once its objects have all admitted (see coordinator.ts). */
export interface LeasedStep {
  /** Spends every leased policy's tokens; false when one is refused, with nothing kept. */
  spend(): Promise<boolean>;
  /** What each leased policy said, by state key, once spent. */
  outcomes: ReadonlyMap<string, LeasedOutcome>;
}

/**
 * The leased policies of a plan, spent last: only when every object has admitted its batch
 * does each take its tokens from the isolate's grants, so no object can deny after a token is
 * spent. One that is refused denies the check: the tokens the others took go back to their
 * lots (the coordinator refunds what the objects consumed). A leased admission keeps no
 * receipt, so no refund ticket or undo gives it back (that errs towards denying).
 * Undefined when the plan leases nothing.
 */
export function leasedStep(
  grants: TokenGrants,
  plan: CheckPlan,
  cost: number,
  /** The generation of the rules the plan's limits come from. */
  generation: number,
): LeasedStep | undefined {
  const due = plan.policies.flatMap((planned) => (planned.status === "leased" ? [planned] : []));
  if (due.length === 0) return undefined;
  const outcomes = new Map<string, LeasedOutcome>();
  const spend = async (): Promise<boolean> => {
    const taken: { stateKey: string; taken: Taken }[] = [];
    for (const { stateKey, subjectKey, limit } of due) {
      const spent = await grants.spend(stateKey, subjectKey, limit, cost, generation);
      outcomes.set(stateKey, spent);
      if (spent.allowed) {
        taken.push({ stateKey, taken: spent.taken });
        continue;
      }
      for (const back of taken) grants.giveBack(back.stateKey, back.taken);
      return false;
    }
    return true;
  };
  return { spend, outcomes };
}
