import type { CheckResult, PolicyResult } from "../client/types.ts";
import type { CheckItem, RefundItem } from "./protocol.ts";
import type { Subject } from "./request.ts";

// The data a decision passes around: what is planned per object, and what comes back.

export interface Planned {
  subject: string;
  item: CheckItem;
  base: PolicyResult;
}

export type Group = [subject: string, planned: Planned[]];

/** The parts of a check request a decision needs, already validated. */
export interface Decidable extends Subject {
  cost: number;
  fingerprint?: string | undefined;
}

export interface Claim {
  /** Decided at most once per subject object, e.g. `telegram:<bot>:<update_id>`. */
  key: string;
  /** Where the claim is kept when no policy calls an object. */
  fallbackSubject: string;
}

export interface SubjectRefunds {
  subject: string;
  items: RefundItem[];
}

/** Enough to take a decision back (see `Limiter.undo`). Plain data. */
export interface Ticket {
  claimSubject?: string | undefined;
  claimKey?: string | undefined;
  refunds: SubjectRefunds[];
}

export interface Decided {
  result: CheckResult;
  /** The claim had been decided before: nothing was counted this time. */
  duplicate: boolean;
  ticket: Ticket;
}
