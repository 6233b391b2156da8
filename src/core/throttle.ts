import { ceilDiv, type Decision } from "./decision.ts";

/** A token bucket: `capacity` tokens, refilled by `refillTokens` every `refillSeconds`. */
export interface ThrottleLimit {
  kind: "throttle";
  capacity: number;
  refillTokens: number;
  refillSeconds: number;
}

/**
 * Tokens are kept in integer units of 1/refillMs of a token, in which the bucket refills by
 * exactly `refillTokens` units per millisecond. Integer arithmetic is what makes the bound
 * "admitted ≤ capacity + refill × elapsed" exact instead of exact-up-to-rounding.
 */
export interface ThrottleState {
  /** Token level in units. */
  units: number;
  /** Time of the level. */
  atMs: number;
  /** Units per token the level was written in; a policy change rescales it safely. */
  unitsPerToken: number;
  /**
   * Tokens the bucket held when full, when the level was written: what it was short of full
   * carries over to a changed limit. Absent in states written before it was kept.
   */
  capacity?: number;
  /** Tokens refilled per period when the level was written; absent in older states. */
  refillTokens?: number;
  /**
   * When this state began, the bucket being full (or the limit another) just before. A
   * refund of an admission made under an earlier state gives nothing back: the bucket has
   * been full since, which repaid it. Rows written before refunds were bounded lack it.
   */
  sinceMs?: number;
  /** Units refunds have put back into this state since it began. */
  refundedUnits?: number;
  /**
   * Units a millisecond at which a level below empty refills, when faster than the limit's
   * own: a debt carried over from a faster limit (see `carriedOver`) is repaid at its pace.
   */
  debtRefillTokens?: number;
}

/**
 * What an admission took, and what a refund needs so that it never gives back more than
 * refill and other refunds have left owing (see `throttleRefund`).
 */
export interface ThrottleReceipt {
  tokens: number;
  /** When refill alone would have brought the bucket back to capacity after the admission. */
  repaidAtMs: number;
  /** The state's `sinceMs` and `refundedUnits` just after the admission. */
  sinceMs: number;
  refundedUnits: number;
}

const unitsPerToken = (limit: ThrottleLimit): number => limit.refillSeconds * 1000;

/** Whether `state` was written under `limit`, so its units mean the same tokens. */
const sameUnits = (limit: ThrottleLimit, state: ThrottleState): boolean =>
  state.unitsPerToken === unitsPerToken(limit) &&
  (state.capacity ?? limit.capacity) === limit.capacity &&
  (state.refillTokens ?? limit.refillTokens) === limit.refillTokens;

/** Whether `state` was decided under `limit` (a state of another kind's limit counts as so). */
export const throttleWrittenUnder = (limit: ThrottleLimit, state: ThrottleState): boolean =>
  sameUnits(limit, state);

const writtenUnder = (
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
): state is ThrottleState => state !== undefined && sameUnits(limit, state);

/**
 * The level a state written under another limit stands at now, under `limit`. The old limit
 * held until now (the first decision under the new one): the bucket refills at the old rate
 * until now, and what it is then short of full carries over whole: what was consumed stays
 * consumed, so a raised capacity frees the added tokens at once and a lowered one takes them
 * away, below empty if need be. Floored at empty, limits alternating while isolates learn of
 * a change (old, new, old) would each time forgive what the smaller bucket cannot hold, and
 * admit without bound; below empty, the debt is repaid at the faster of the two rates
 * (`carriedDebtRate`), so the wait is no longer than the old limit would have made it.
 * Carried over at one instant, a more consumed state stays the more consumed, which storing
 * ahead relies on. In integers, rounded towards the smaller level, so a change never hands
 * out a fraction more.
 */
function carriedOver(limit: ThrottleLimit, state: ThrottleState, elapsedMs: number): number {
  const perToken = BigInt(unitsPerToken(limit));
  const writtenPerToken = BigInt(state.unitsPerToken);
  if (state.capacity === undefined || state.refillTokens === undefined) {
    // Written before a state kept its limit: rescaled, refilled at the new rate.
    const units = (BigInt(state.units) * perToken) / writtenPerToken;
    const level = units + BigInt(elapsedMs) * BigInt(limit.refillTokens);
    const capacityUnits = BigInt(limit.capacity) * perToken;
    return Number(level < capacityUnits ? level : capacityUnits);
  }
  const writtenCapacity = BigInt(state.capacity) * writtenPerToken;
  const rate = BigInt(state.refillTokens);
  const debtRate = BigInt(state.debtRefillTokens ?? state.refillTokens);
  const units = BigInt(state.units);
  const elapsed = BigInt(elapsedMs);
  let refilled = units + elapsed * rate;
  if (units < 0n && debtRate > rate) {
    const toEmptyMs = (-units + debtRate - 1n) / debtRate;
    refilled = elapsed < toEmptyMs ? units + elapsed * debtRate : (elapsed - toEmptyMs) * rate;
  }
  const shortUnits = writtenCapacity - (refilled < writtenCapacity ? refilled : writtenCapacity);
  const shortNow = (shortUnits * perToken + writtenPerToken - 1n) / writtenPerToken;
  return Number(BigInt(limit.capacity) * perToken - shortNow);
}

/**
 * The pace, in `limit`'s units a millisecond, at which a carried-over debt is repaid: the
 * fastest of the new limit's rate and the old state's, rounded down in the new units.
 */
function carriedDebtRate(limit: ThrottleLimit, state: ThrottleState): number {
  const old = Math.max(state.refillTokens ?? 0, state.debtRefillTokens ?? 0);
  const rescaled = Number(
    (BigInt(old) * BigInt(unitsPerToken(limit))) / BigInt(state.unitsPerToken),
  );
  return Math.max(limit.refillTokens, rescaled);
}

/** Units a millisecond at which `state`'s level refills below empty under `limit`. */
function debtRateOf(limit: ThrottleLimit, state: ThrottleState | undefined): number {
  if (state === undefined) return limit.refillTokens;
  if (!sameUnits(limit, state)) return carriedDebtRate(limit, state);
  return Math.max(limit.refillTokens, state.debtRefillTokens ?? 0);
}

/**
 * Milliseconds until a level of `units` reaches `targetUnits` (at most the capacity): below
 * empty at `debtRate`, from empty at the limit's own rate.
 */
function msUntil(limit: ThrottleLimit, units: number, targetUnits: number, debtRate: number) {
  if (units >= targetUnits) return 0;
  if (units < 0 && debtRate > limit.refillTokens) {
    return ceilDiv(-units, debtRate) + ceilDiv(targetUnits, limit.refillTokens);
  }
  return ceilDiv(targetUnits - units, limit.refillTokens);
}

function levelAt(limit: ThrottleLimit, state: ThrottleState | undefined, nowMs: number): number {
  const capacityUnits = limit.capacity * unitsPerToken(limit);
  if (state === undefined) return capacityUnits;
  // A clock that steps backwards refills nothing rather than something.
  const elapsedMs = Math.max(0, nowMs - state.atMs);
  if (!sameUnits(limit, state)) return carriedOver(limit, state, elapsedMs);
  const debtRate = state.debtRefillTokens ?? 0;
  if (state.units < 0 && debtRate > limit.refillTokens) {
    const toEmptyMs = ceilDiv(-state.units, debtRate);
    if (elapsedMs < toEmptyMs) return state.units + elapsedMs * debtRate;
    return Math.min(capacityUnits, (elapsedMs - toEmptyMs) * limit.refillTokens);
  }
  return Math.min(capacityUnits, state.units + elapsedMs * limit.refillTokens);
}

/**
 * `state` carried over to `limit` as of now, ready to store: the first decision under a changed
 * limit stores it, so that later decisions carry nothing over again (undefined: full).
 */
export function throttleCarriedOver(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  nowMs: number,
): { state: ThrottleState | undefined; recoverAtMs: number } {
  const level = levelAt(limit, state, nowMs);
  const debtRate = debtRateOf(limit, state);
  const resetMs = msUntil(limit, level, limit.capacity * unitsPerToken(limit), debtRate);
  return {
    state: stateFor(limit, level, nowMs, nowMs, 0, debtRate),
    recoverAtMs: nowMs + resetMs,
  };
}

// Numbers, not an object: this runs on every admission.
function stateFor(
  limit: ThrottleLimit,
  level: number,
  nowMs: number,
  sinceMs: number,
  refundedUnits: number,
  debtRate = 0,
): ThrottleState | undefined {
  const perToken = unitsPerToken(limit);
  if (level >= limit.capacity * perToken) return undefined;
  const state: ThrottleState = {
    units: level,
    atMs: nowMs,
    unitsPerToken: perToken,
    capacity: limit.capacity,
    refillTokens: limit.refillTokens,
    sinceMs,
    refundedUnits,
  };
  if (level < 0 && debtRate > limit.refillTokens) state.debtRefillTokens = debtRate;
  return state;
}

// One object per decision, built in place: this runs on every check.
export function throttleDecide(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  cost: number,
  nowMs: number,
): Decision<ThrottleState, ThrottleReceipt> {
  const perToken = unitsPerToken(limit);
  const capacityUnits = limit.capacity * perToken;
  const level = levelAt(limit, state, nowMs);
  const costUnits = cost * perToken;
  const allowed = level >= costUnits;
  const after = allowed ? level - costUnits : level;
  // Only a level found below empty refills at a debt's pace, and then nothing is admitted.
  const debtRate = allowed ? limit.refillTokens : debtRateOf(limit, state);
  const resetMs = msUntil(limit, after, capacityUnits, debtRate);
  // A bucket found full, or written under another limit, begins a new state: nothing taken
  // before is owed any more.
  const goesOn = level < capacityUnits && writtenUnder(limit, state);
  const next = allowed
    ? stateFor(
        limit,
        after,
        nowMs,
        goesOn ? (state.sinceMs ?? state.atMs) : nowMs,
        goesOn ? (state.refundedUnits ?? 0) : 0,
      )
    : state;
  return {
    allowed,
    quota: limit.capacity,
    // A stored reservation may stand below empty (see `throttleReservation`).
    remaining: Math.max(0, Math.floor(after / perToken)),
    retryAfterMs: allowed ? 0 : msUntil(limit, level, costUnits, debtRate),
    resetMs,
    next,
    recoverAtMs: nowMs + resetMs,
    receipt:
      allowed && next !== undefined
        ? {
            tokens: cost,
            // Rounded down, so a refund never counts refill that had not yet come.
            repaidAtMs: nowMs + Math.floor((capacityUnits - after) / limit.refillTokens),
            sinceMs: next.sinceMs ?? nowMs,
            refundedUnits: next.refundedUnits ?? 0,
          }
        : undefined,
  };
}

/**
 * Gives back what an admission took, but never so much that the bucket stands higher than
 * it would had the admission never been made. Without the admission the bucket would have
 * stood higher by its tokens until it reached capacity, and full from then on (a full bucket
 * wastes refill). So what is still owed shrinks with the refill since (`repaidAtMs`) and
 * with what other refunds have put back since (`refundedUnits`), and is nothing once the
 * bucket has been full (a new state): a bound that holds whatever interleaves. A state
 * written since under another limit keeps the charge too: the receipt's units are the old
 * limit's, and a refund that cannot be given back exactly must err towards denying.
 */
export function throttleRefund(
  limit: ThrottleLimit,
  state: ThrottleState | undefined,
  receipt: ThrottleReceipt,
  nowMs: number,
): ThrottleState | undefined {
  if (!writtenUnder(limit, state) || (state.sinceMs ?? state.atMs) !== receipt.sinceMs) {
    return state;
  }
  const refundedUnits = state.refundedUnits ?? 0;
  const refundedSince = refundedUnits - receipt.refundedUnits;
  const owedUnits = Math.min(
    receipt.tokens * unitsPerToken(limit),
    (receipt.repaidAtMs - nowMs) * limit.refillTokens - refundedSince,
  );
  if (owedUnits <= 0 || refundedSince < 0) return state;
  const level = levelAt(limit, state, nowMs);
  const raised = Math.min(limit.capacity * unitsPerToken(limit), level + owedUnits);
  const refunded = refundedUnits + (raised - level);
  return stateFor(limit, raised, nowMs, receipt.sinceMs, refunded, state.debtRefillTokens);
}

/**
 * Tokens one stored reservation covers, the admission that writes it included: a twentieth of
 * the bucket, at least one. A bucket of 5 writes every admission; one of 1,000 every 50th.
 */
export const reservationTokens = (limit: ThrottleLimit): number =>
  Math.max(1, Math.floor(limit.capacity / 20));

/**
 * What storage must hold after an admission left memory at `next`. Storage must always be at
 * least as consumed as memory, so a restart can only under-admit: when what it holds already
 * is (`stored` stands no higher than `next`, and both refill alike, so it stays so), nothing
 * is written. Otherwise it takes `next` lowered by the rest of a reservation, so the
 * admissions after this one write nothing until the reservation is spent. Lost memory costs
 * at most `reservationTokens - 1` tokens. Both must have been written under `limit` (see
 * `writtenUnder` in limits.ts): across a change, memory's lead is dropped first.
 */
export function throttleReservation(
  limit: ThrottleLimit,
  stored: ThrottleState | undefined,
  next: ThrottleState | undefined,
  nowMs: number,
): { write: false } | { write: true; state: ThrottleState | undefined; recoverAtMs: number } {
  const level = levelAt(limit, next, nowMs);
  // Also when memory's bucket was full and began a new state: a subject checked below its
  // limit finds it full at nearly every check, and writing each new state wrote each
  // admission. A receipt of the new state then finds no state of its own after a restart
  // and keeps its charge; one of the stored state finds the refunds since written down (a
  // refund always writes), so it gives back no more than the bucket would have held.
  if (levelAt(limit, stored, nowMs) <= level) return { write: false };
  const perToken = unitsPerToken(limit);
  // Below empty if need be: a bucket at its limit still writes once a reservation, not at
  // every admission. Only a restart ever decides from it, denying until it has refilled.
  const reserved = level - (reservationTokens(limit) - 1) * perToken;
  // A reservation of one token is the admission itself: memory's own state is stored, and
  // nothing is left ahead for the object to write down again later.
  const state =
    reserved === level && next !== undefined
      ? next
      : stateFor(limit, reserved, nowMs, next?.sinceMs ?? nowMs, next?.refundedUnits ?? 0);
  const recoverAtMs = nowMs + ceilDiv(limit.capacity * perToken - reserved, limit.refillTokens);
  return { write: true, state, recoverAtMs };
}
