import type { CheckResult } from "../client/types.ts";
import type { RefundItem } from "./protocol.ts";

// What a decision hands back besides its result: enough to take it back later.

export interface Claim {
  /** Decided at most once per subject object, e.g. `telegram.<bot>.<update_id>`. */
  key: string;
  /** Where the claim is kept when no policy calls an object. */
  fallbackSubjectKey: string;
  /** The group the decision belongs to, whose first decision the rest follow (an album). */
  group?: GroupClaim | undefined;
}

export interface GroupClaim {
  /** The group's verdict, kept in `subjectKey`'s object, e.g. `album.<bot>.<type>.<id>`. */
  key: string;
  /** The object that keeps the verdict: the same for every member, whatever it counts. */
  subjectKey: string;
  /** How long the verdict holds for the rest of the group. */
  windowMs: number;
}

export interface SubjectRefunds {
  subjectKey: string;
  items: RefundItem[];
}

/** Enough to take a decision back (see `Limiter.undo`). Plain data. */
export interface Ticket {
  claimSubjectKey?: string | undefined;
  claimKey?: string | undefined;
  refunds: SubjectRefunds[];
}

export interface Decided {
  result: CheckResult;
  /** The claim had been decided before: nothing was counted this time. */
  duplicate: boolean;
  /** With a group: whether this decision was the group's first, or followed its verdict. */
  group?: "led" | "followed" | undefined;
  ticket: Ticket;
}
