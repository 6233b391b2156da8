/** What every algorithm answers. A denial is data, never an exception. */
export interface Decision<State, Receipt = unknown> {
  allowed: boolean;
  /** The policy's quota: tokens of a bucket, cost of a window, leases, 1 for a debounce. */
  quota: number;
  /** Whole units still available after this decision. */
  remaining: number;
  /** 0 when allowed; otherwise the earliest time the same request could be admitted. */
  retryAfterMs: number;
  /** Time until the quota is fully restored. */
  resetMs: number;
  /**
   * The state to keep when admitted. `undefined` means the state is indistinguishable from
   * a fresh one and can be deleted, so storage does not grow with idle subjects.
   */
  next: State | undefined;
  /** When `next` will have fully recovered, so a clean-up can delete it then. */
  recoverAtMs: number;
  /** What an admission consumed, so a refund can give back exactly that. */
  receipt?: Receipt;
}

export const ceilDiv = (numerator: number, denominator: number): number =>
  Math.max(0, Math.ceil(numerator / denominator));
