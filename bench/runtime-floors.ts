// The runtime's own floors (bench/floors/): bare Workers doing what our routes do, each
// measured against its own no-op route, so that our routes' ratios to /healthz can be set
// beside theirs. `wrangler dev` serves only its first config over HTTP, so the floors run in a
// `wrangler dev` of their own, up at the same time as the limiter's; a pass runs before the
// limiter's scenarios and one after, and each floor's ratio is the mean of the two.
import {
  type Floors,
  floors,
  type Measured,
  rotatingUsers,
  type Spec,
  type Timing,
  touchEveryUser,
  webhookSpec,
} from "./e2e.ts";
import type { LoadResult } from "./load.ts";

export type FloorName = "object" | "ratelimit" | "forward";

export interface FloorPass {
  noop: LoadResult[];
  measured: Record<FloorName, Measured>;
}

export interface FloorResults {
  before: FloorPass;
  after: FloorPass;
}

/** A floor's ratio to its no-op route: the mean of the passes before and after ours. */
export function floorRatio(r: FloorResults, name: FloorName): number {
  const ratio = ({ result, floorRps }: Measured) => result.rps / floorRps;
  return (ratio(r.before.measured[name]) + ratio(r.after.measured[name])) / 2;
}

/** A GET of a floors route, rotating `X-User` over the bench's subjects. */
function perUser(url: string, timing: Timing): Spec {
  const users = rotatingUsers(timing.users);
  return {
    url,
    perRequestHeaders: () => ({ "X-User": String(users()) }),
    expectStatus: 200,
  };
}

export async function floorPass(url: string, timing: Timing): Promise<FloorPass> {
  const noop: Floors = floors(
    "floors GET /noop",
    { url: `${url}/noop`, expectStatus: 200 },
    timing,
  );
  const objectSpec = perUser(`${url}/object`, timing);
  // As for the allowed path: creating an object is not what is measured.
  await touchEveryUser(objectSpec, timing);
  const object = await noop.around("floors: one object call, one kv.put", objectSpec);
  const ratelimit = await noop.around(
    "floors: the ratelimits binding's limit()",
    perUser(`${url}/ratelimit`, timing),
  );
  const forward = await noop.around(
    "floors: the webhook body forwarded to the origin",
    webhookSpec(`${url}/forward`, timing),
  );
  return { noop: noop.runs, measured: { object, ratelimit, forward } };
}
