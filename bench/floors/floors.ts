// The floors our routes are judged against, each as bare as a Worker can be while doing the
// same work: a no-op route, one object call that writes one key (`kv.put`), Cloudflare's own rate
// limiting binding, and forwarding a webhook body to an origin. No validation, no errors
// handled: whatever a floor leaves out of a route is what the route may cost beyond it.
import { DurableObject } from "cloudflare:workers";

interface FloorsEnv {
  COUNTER: DurableObjectNamespace<FloorObject>;
  RL: RateLimit;
  /** The webhook origin, set by the bench with `--var ORIGIN:<url>`. */
  ORIGIN: string;
}

/** One object per subject, as the limiter's per-user policies have; one row written per call. */
export class FloorObject extends DurableObject {
  touch(atMs: number): void {
    this.ctx.storage.kv.put("last", atMs);
  }
}

const SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

async function route(request: Request, env: FloorsEnv): Promise<Response> {
  const user = request.headers.get("X-User") ?? "1";
  switch (new URL(request.url).pathname) {
    case "/noop":
      return Response.json({ ok: true });
    case "/object":
      await env.COUNTER.getByName(user).touch(Date.now());
      return Response.json({ ok: true });
    case "/ratelimit": {
      const { success } = await env.RL.limit({ key: user });
      return Response.json({ success }, { status: success ? 200 : 429 });
    }
    case "/forward":
      return fetch(env.ORIGIN, {
        method: "POST",
        body: await request.arrayBuffer(),
        headers: {
          "Content-Type": "application/json",
          [SECRET_HEADER]: request.headers.get(SECRET_HEADER) ?? "",
        },
      });
    default:
      return new Response(null, { status: 404 });
  }
}

export default { fetch: route } satisfies ExportedHandler<FloorsEnv>;
