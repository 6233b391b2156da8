// The policies the e2e checks run with, served from a copy of the project
// (scripts/e2e/sandbox.ts), so that editing the shipped policies.json cannot break them.

export const THROTTLE = { kind: "throttle", rate: 100, per: 1, scope: "global" } as const;
export const WINDOW = { kind: "window", limit: 100, window: 3600, scope: "user" } as const;
export const LEASES = { kind: "concurrency", limit: 3, ttl: 60, scope: "user" } as const;
/** Large enough to reserve ahead: 50 admissions per stored row (a twentieth of 1,000). */
export const RESERVED = { kind: "throttle", rate: 1000, per: 3600, scope: "user" } as const;
export const RESERVATION_TOKENS = 50;
/** The throttle above, leased to isolates in grants ("Hot keys" in the README). */
export const HOT = { ...THROTTLE, lease: true } as const;

export const e2ePolicies = {
  app: "e2e",
  policies: {
    e2e_throttle: { ...THROTTLE, description: "A bucket of 100, refilled 100 a second" },
    e2e_window: { ...WINDOW, description: "At most 100 in any sliding hour" },
    e2e_leases: { ...LEASES, description: "At most 3 held at once" },
    e2e_reserved: { ...RESERVED, description: "1,000 an hour, stored 50 admissions ahead" },
    e2e_hot: { ...HOT, description: "A bucket of 100, 100 a second, spent from grants" },
  },
};
