import { type Context, Hono } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LimiterUnavailableError } from "../limiter/calls.ts";
import { InputError } from "../limiter/request.ts";
import { reportMinutes } from "../metrics/service.ts";
import { limitBody } from "../platform/body-limit.ts";
import { secretsEqual } from "../platform/secrets.ts";
import { RuleConflictError } from "../rules/admin.ts";
import type { Services } from "../services.ts";
import { ASSETS } from "./assets.ts";
import { blockInput, type Form, field, overrideInput, timing } from "./forms.ts";
import { SignIn } from "./layout.tsx";
import { DashboardPage } from "./page.tsx";
import { prefillOf } from "./prefill.ts";
import {
  adminToken,
  csrfMatches,
  currentSession,
  endSession,
  type Session,
  startSession,
} from "./session.ts";

type DashboardEnv = { Bindings: Env; Variables: { session: Session; form: Form } };

const MAX_FORM_BYTES = 64 * 1024;

/** The window a page shows: from the query or a form, else the last hour. */
function windowOf(value: string | undefined): number {
  try {
    return reportMinutes(value);
  } catch {
    return 60;
  }
}

/**
 * `/dashboard`: the operators' page, served by the worker, rendered on the server. Signing in
 * takes the admin token in a form (never in a URL) and gives a session cookie; every change
 * goes through the rules service as the `dashboard` door, recorded in the audit log.
 */
export function dashboardRoutes(services: Services, clock: () => number = Date.now) {
  const { rules, metrics, registry } = services;
  const app = new Hono<DashboardEnv>();
  const policies = registry.list().map((p) => p.name);

  const render = async (c: Context<DashboardEnv>, status: ContentfulStatusCode, error?: string) => {
    const minutes = windowOf(c.req.query("minutes") ?? field(c.get("form") ?? {}, "minutes"));
    const [report, blocks, overrides] = await Promise.all([
      // The rules stay at hand while the metrics object cannot be read.
      metrics?.report(String(minutes)).catch((error) => {
        if (error instanceof LimiterUnavailableError) return "unavailable" as const;
        throw error;
      }),
      rules.blocks(),
      rules.overrides(),
    ]);
    const notice = c.req.query("notice");
    const props = {
      app: registry.app,
      report,
      blocks,
      overrides,
      policies,
      minutes,
      notice,
      error,
    };
    const page = (
      <DashboardPage
        {...props}
        csrf={c.get("session").csrf}
        nowMs={clock()}
        prefill={prefillOf(c.req.query())}
      />
    );
    return c.html(`<!doctype html>${page}`, status);
  };

  const done = (c: Context<DashboardEnv>, notice: string, anchor: string) => {
    const minutes = windowOf(field(c.get("form"), "minutes"));
    return c.redirect(`/dashboard?minutes=${minutes}&notice=${notice}#${anchor}`, 303);
  };

  app.onError(async (error, c) => {
    if (error instanceof InputError) return render(c, 400, error.message);
    if (error instanceof RuleConflictError) return render(c, 409, error.message);
    if (error instanceof LimiterUnavailableError)
      return c.text("limiter unavailable; retry later", 503);
    if (error instanceof HTTPException) return c.text(error.message || "refused", error.status);
    console.error(JSON.stringify({ event: "unhandled", name: error.name, message: error.message }));
    return c.text("internal error", 500);
  });

  app.use(
    "*",
    secureHeaders({
      strictTransportSecurity: false,
      xFrameOptions: "DENY",
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    }),
  );

  app.get("/assets/:name", (c) => {
    const asset = ASSETS[c.req.param("name")];
    if (asset === undefined) throw new HTTPException(404, { message: "no such asset" });
    return c.body(asset.body, 200, { "Content-Type": asset.type, "Cache-Control": "max-age=300" });
  });

  // Every form: from this origin (Origin or Sec-Fetch-Site), bounded, then read.
  app.post("*", csrf(), limitBody(MAX_FORM_BYTES), async (c, next) => {
    c.set("form", (await c.req.parseBody({ all: true })) as Form);
    c.header("Cache-Control", "no-store");
    await next();
  });

  app.post("/sign-in", async (c) => {
    const token = field(c.get("form"), "token");
    if (token === undefined || !secretsEqual(token, adminToken(c))) {
      return c.html(`<!doctype html>${<SignIn error="That is not the admin token." />}`, 401);
    }
    await startSession(c, clock());
    return c.redirect("/dashboard", 303);
  });

  // Everything else needs a session; a form also needs its session's token.
  app.use("*", async (c, next) => {
    c.header("Cache-Control", "no-store");
    const session = await currentSession(c, clock());
    if (session === undefined) {
      if (c.req.method === "GET" && c.req.path === "/dashboard") {
        return c.html(`<!doctype html>${<SignIn />}`, 200);
      }
      return c.html(`<!doctype html>${<SignIn error="Sign in first." />}`, 401);
    }
    if (c.req.method === "POST" && !csrfMatches(session, field(c.get("form"), "_csrf"))) {
      throw new HTTPException(403, {
        message: "this form is stale or from elsewhere: reload the page",
      });
    }
    c.set("session", session);
    await next();
  });

  app.get("/", (c) => render(c, 200));

  app.post("/sign-out", (c) => {
    endSession(c);
    return c.redirect("/dashboard", 303);
  });

  app.post("/blocks", async (c) => {
    await rules.block(blockInput(c.get("form")), "dashboard");
    return done(c, "block-added", "blocks");
  });

  // A new block with the same identity and policies first, then the old one goes: the
  // identity is never unblocked in between.
  app.post("/blocks/:id/change", async (c) => {
    const old = (await rules.blocks()).find((block) => block.id === c.req.param("id"));
    if (old === undefined) throw new InputError("no such block: unknown, removed or expired");
    const { id: _id, expiresAt: _e, createdAt: _c, door: _d, reason: _r, ...kept } = old;
    await rules.block({ ...kept, ...timing(c.get("form")) }, "dashboard");
    await rules.unblock(old.id, "dashboard");
    return done(c, "block-changed", "blocks");
  });

  app.post("/blocks/:id/remove", async (c) => {
    if (!(await rules.unblock(c.req.param("id"), "dashboard"))) {
      throw new InputError("no such block: unknown, removed or expired");
    }
    return done(c, "block-removed", "blocks");
  });

  app.post("/overrides", async (c) => {
    const { policy, input } = overrideInput(c.get("form"));
    await rules.setOverride(policy, input, "dashboard");
    return done(c, "override-saved", "overrides");
  });

  app.post("/overrides/:id/remove", async (c) => {
    if (!(await rules.removeOverride(c.req.param("id"), "dashboard"))) {
      throw new InputError("no such override: unknown, removed or expired");
    }
    return done(c, "override-removed", "overrides");
  });

  return app;
}
