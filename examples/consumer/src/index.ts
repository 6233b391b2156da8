import { limit, type RateLimiterBinding, type RateLimitVariables } from "edge-limiter/client";
import { Hono } from "hono";

// The binding typed with the limiter's RPC methods, from edge-limiter/client.
type AppEnv = { Bindings: { LIMITER: RateLimiterBinding }; Variables: RateLimitVariables };

const app = new Hono<AppEnv>();

// 5 a minute per user, by the X-User header a real app would take from its session.
app.get(
  "/hello",
  limit<AppEnv>({
    binding: (c) => c.env.LIMITER,
    policies: ["user_throttle"],
    subject: (c) => ({ user: c.req.header("X-User") ?? "anonymous" }),
  }),
  (c) => c.json({ hello: c.req.header("X-User") ?? "anonymous" }),
);

// Login attempts per client IP; Cloudflare sets CF-Connecting-IP on every request, IPv4 or
// IPv6 (the limiter counts an IPv6 client by its network). Without an address the ip-scoped
// policy is skipped rather than shared by every such request.
app.post(
  "/login",
  limit<AppEnv>({
    binding: (c) => c.env.LIMITER,
    policies: ["login_ip"],
    subject: (c) => ({ ip: c.req.header("CF-Connecting-IP") }),
  }),
  (c) => c.json({ ok: true, remaining: c.get("rateLimit").policies[0]?.remaining }),
);

// 5 logins a minute per user per OAuth provider: one policy, the provider as its bucket.
app.post(
  "/login/:provider",
  limit<AppEnv>({
    binding: (c) => c.env.LIMITER,
    policies: ["login_provider"],
    subject: (c) => ({ user: c.req.header("X-User") ?? "anonymous" }),
    bucket: (c) => c.req.param("provider"),
  }),
  (c) => c.json({ ok: true, remaining: c.get("rateLimit").policies[0]?.remaining }),
);

// Only failed sign-ins count (skip refunds the others once the handler has answered), so a
// visitor who gets the password right is never locked out by their own sign-ins. The
// password is a stand-in for a real check.
app.post(
  "/signin",
  limit<AppEnv>({
    binding: (c) => c.env.LIMITER,
    policies: ["login_ip"],
    subject: (c) => ({ ip: c.req.header("CF-Connecting-IP") }),
    skip: (c) => c.res.status < 400,
  }),
  async (c) =>
    (await c.req.text()) === "correct horse"
      ? c.json({ ok: true })
      : c.json({ error: "wrong password" }, 401),
);

export default app;
