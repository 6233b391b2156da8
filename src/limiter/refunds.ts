import { z } from "zod";
import type { CheckResult, RefundResult } from "../client/types.ts";
import { expected } from "../config/fields.ts";
import type { Registry } from "../config/registry.ts";
import { parseCanonicalKey, subjectKey } from "../core/keys.ts";
import type { CheckLimit } from "../core/limits.ts";
import { bytesToBase64Url } from "../platform/base64url.ts";
import { LimiterUnavailableError } from "./calls.ts";
import type { SubjectRefunds } from "./decided.ts";
import { parseFields } from "./fields.ts";
import type { SubjectObjects } from "./objects.ts";
import type { RefundItem } from "./protocol.ts";
import {
  MAX_TICKET_LENGTH,
  openTicket,
  REFUND_TICKET_TTL_MS,
  signTicket,
  type TicketItem,
} from "./tickets.ts";

const refundSchema = z.strictObject({
  ticket: z
    .string({ error: expected("a refund ticket (a string)") })
    .min(1, { error: "must not be empty" })
    .max(MAX_TICKET_LENGTH, { error: `must be at most ${MAX_TICKET_LENGTH} characters` }),
});

/**
 * Counting after the fact. A check that consumed something gets a ticket naming exactly
 * that; redeeming it gives that back once, in each object it touched, with a mark kept beside
 * the states until the ticket expires, in the same transaction as the refund. Admissions
 * write nothing for it: the ticket is the caller's to keep.
 */
export class Refunds {
  private readonly registry: Registry;
  private readonly objects: SubjectObjects;
  /** The accepted values of the secret tickets are signed with; the first signs. */
  private readonly secrets: () => readonly string[];
  private readonly clock: () => number;

  constructor(
    registry: Registry,
    objects: SubjectObjects,
    secrets: () => readonly string[],
    clock: () => number,
  ) {
    this.registry = registry;
    this.objects = objects;
    this.secrets = secrets;
    this.clock = clock;
  }

  /** `result` with a ticket for what the check consumed, if it consumed anything. */
  async ticketed(result: CheckResult, kept: SubjectRefunds[]): Promise<CheckResult> {
    const secret = this.secrets()[0];
    if (secret === undefined || kept.length === 0) return result;
    const items = kept.flatMap((subject) =>
      subject.items.map((item): TicketItem => [item.stateKey, item.limit, item.receipt]),
    );
    const id = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    const expiresAtMs = this.clock() + REFUND_TICKET_TTL_MS;
    const refundTicket = await signTicket({ id, expiresAtMs, items }, secret);
    return { ...result, refundTicket };
  }

  /**
   * Redeems `{ ticket }`. Objects that fail leave their part unrefunded and unmarked, and the
   * call fails as unavailable: redeeming again then refunds only what is left.
   */
  async refund(input: unknown): Promise<{ result: RefundResult; stateKeys: string[] }> {
    const { ticket } = parseFields(refundSchema, input, ["ticket"]);
    const body = await openTicket(ticket, this.secrets());
    const unknown = {
      result: { refunded: false, reason: "unknown ticket" as const },
      stateKeys: [],
    };
    if (body === undefined || body.expiresAtMs <= this.clock()) return unknown;
    const bySubject = this.itemsBySubject(body.items);
    if (bySubject.size === 0) return unknown;
    const mark = { key: `refund.${body.id}`, expiresAtMs: body.expiresAtMs };
    const settled = await Promise.allSettled(
      [...bySubject].map(([subject, items]) => this.objects.redeem(subject, mark, items)),
    );
    const outcomes = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    if (outcomes.length < settled.length) {
      throw new LimiterUnavailableError("a refund did not reach every object; redeem again");
    }
    const stateKeys = [...bySubject.values()].flat().map((item) => item.stateKey);
    if (outcomes.includes("refunded")) return { result: { refunded: true }, stateKeys };
    if (outcomes.includes("used")) {
      return { result: { refunded: false, reason: "already refunded" }, stateKeys: [] };
    }
    return unknown;
  }

  /**
   * The ticket's items by the object that holds them. An item whose policy is gone or has
   * another limit now gives nothing back (its receipt speaks of the old limit), but its object
   * still takes the mark, so the ticket stays used.
   */
  private itemsBySubject(items: readonly (readonly unknown[])[]): Map<string, RefundItem[]> {
    const bySubject = new Map<string, RefundItem[]>();
    for (const [stateKey, limit, receipt] of items) {
      const parts = typeof stateKey === "string" ? parseCanonicalKey(stateKey) : undefined;
      if (parts === undefined || parts.app !== this.registry.app) continue;
      const subject = subjectKey(parts);
      const refunds = bySubject.get(subject) ?? [];
      bySubject.set(subject, refunds);
      const policy = this.registry.has(parts.namespace)
        ? this.registry.get(parts.namespace)
        : undefined;
      const signed = limit as CheckLimit;
      if (policy === undefined || policy.limit.kind !== signed.kind) continue;
      // The limit the check was decided under (an override's, maybe), as signed: a state
      // written since under another limit keeps the charge (core/*: a refund errs to deny).
      refunds.push({ stateKey: stateKey as string, limit: signed, receipt: receipt as never });
    }
    return bySubject;
  }
}
