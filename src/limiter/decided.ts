import type { CheckResult } from "../client/types.ts";
import type { RefundItem } from "./protocol.ts";

// What a decision hands back besides its result: enough to take it back later.

export interface Claim {
  /** Decided at most once per subject object, e.g. `telegram.<bot>.<update_id>`. */
  key: string;
  /** Where the claim is kept when no policy calls an object. */
  fallbackSubjectKey: string;
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
  ticket: Ticket;
}
