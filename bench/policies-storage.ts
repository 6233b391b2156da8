// Policies only the storage run serves, beside the bench policies (bench/policies.ts): merged
// into them by bench/vitest.storage.config.ts.

/** A per-key throttle large enough that reservations batch: 50 tokens a row. */
export const STORAGE_KEY_POLICY = "storage_key";

export const STORAGE_POLICIES = {
  [STORAGE_KEY_POLICY]: {
    kind: "throttle",
    rate: 1_000,
    per: 60,
    scope: "key",
    description: "Storage rows: 1,000 a minute per API key, reserved in batches",
  },
};

/** `policies` (the bench's policies.json) with the storage run's own policies added. */
export function withStoragePolicies(policies: object): object {
  const json = policies as { policies: Record<string, unknown> };
  return { ...json, policies: { ...json.policies, ...STORAGE_POLICIES } };
}
