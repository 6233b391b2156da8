import { describe, expect, it } from "vitest";
import { SESSION_SECONDS } from "../../src/dashboard/session.ts";
import { metricsRegistry } from "../metrics/harness.ts";
import { browser } from "./harness.ts";

const cell = (html: string, policy: string, field: string) => {
  const row =
    new RegExp(`<tr data-policy="${policy}"[^>]*>([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? "";
  return new RegExp(`data-field="${field}"[^>]*>([^<]*)<`).exec(row)?.[1];
};

describe("signing in to the dashboard", () => {
  it("asks for the admin token in a form, then keeps a Secure, HttpOnly, SameSite=Strict session", async () => {
    const b = browser(metricsRegistry());
    const first = await b.get();
    expect(first.res.status).toBe(200);
    expect(first.html).toContain('<form method="post" action="/dashboard/sign-in">');
    expect(first.html).toContain('type="password"');
    const wrong = await b.signIn("not-the-token");
    expect(wrong.res.status).toBe(401);
    expect(wrong.html).toContain("That is not the admin token.");
    expect(b.cookie()).toBe("");
    // The API token is not the admin token either.
    expect((await b.signIn("test-token")).res.status).toBe(401);
    const right = await b.signIn();
    expect(right.res.status).toBe(303);
    expect(right.res.headers.get("Location")).toBe("/dashboard");
    const setCookie = right.res.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toMatch(
      /^__Host-limiter_session=[^;]+; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(setCookie).not.toContain("test-admin-token");
    const page = await b.get();
    expect(page.html).toContain("<h2>Decisions, last 1 h</h2>");
    expect(page.res.headers.get("Cache-Control")).toBe("no-store");
    expect(page.res.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
  });

  it("never takes the token from a URL", async () => {
    const b = browser(metricsRegistry());
    const res = await b.request("/dashboard?token=test-admin-token");
    expect(await res.text()).toContain('action="/dashboard/sign-in"');
    const get = await b.request("/dashboard/sign-in?token=test-admin-token");
    expect(get.status).toBe(401);
    expect(b.cookie()).toBe("");
  });

  it("refuses a forged or expired session, and signing out ends it", async () => {
    let nowMs = Date.now();
    const b = browser(metricsRegistry(), { clock: () => nowMs });
    b.setCookie("__Host-limiter_session=9999999999999.00000000-0000-4000-8000-000000000000.forged");
    expect((await b.get()).html).toContain('action="/dashboard/sign-in"');
    await b.signIn();
    expect((await b.get()).html).toContain("Decisions");
    nowMs += SESSION_SECONDS * 1000;
    expect((await b.get()).html).toContain('action="/dashboard/sign-in"');
    nowMs -= SESSION_SECONDS * 1000;
    await b.get();
    expect((await b.post("/dashboard/sign-out", {})).res.status).toBe(303);
    expect(b.cookie()).toBe("");
    expect((await b.get()).html).toContain('action="/dashboard/sign-in"');
  });
});

describe("forms on the dashboard", () => {
  it("refuse a form without this session's token, or from another origin", async () => {
    const b = browser(metricsRegistry());
    await b.signIn();
    await b.get();
    const block = { identity: "user", value: "csrf-victim" };
    expect((await b.post("/dashboard/blocks", block, { csrf: "guess" })).res.status).toBe(403);
    expect((await b.post("/dashboard/blocks", block, { csrf: "" })).res.status).toBe(403);
    const other = await b.post("/dashboard/blocks", block, { origin: "https://evil.example" });
    expect(other.res.status).toBe(403);
    expect((await b.post("/dashboard/blocks", block, { origin: null })).res.status).toBe(403);
    expect(await b.node.services.rules.blocks()).not.toContainEqual(
      expect.objectContaining({ user: "csrf-victim" }),
    );
  });

  it("blocks a subject, which its next check meets, and changes and lifts the block", async () => {
    const b = browser(metricsRegistry());
    await b.signIn();
    await b.get();
    const added = await b.post("/dashboard/blocks", {
      identity: "user",
      value: "dash-1",
      seconds: "3600",
      reason: "spam",
      minutes: "15",
    });
    expect(added.res.status).toBe(303);
    expect(added.res.headers.get("Location")).toBe(
      "/dashboard?minutes=15&notice=block-added#blocks",
    );
    const check = await b.node.check({ policies: ["enforced"], user: "dash-1" });
    expect(check.status).toBe(429);
    expect(await check.json()).toMatchObject({ blocked: true });
    const [block] = await b.node.services.rules.blocks();
    expect(block).toMatchObject({ user: "dash-1", reason: "spam", door: "dashboard" });
    const page = await b.get("/dashboard?notice=block-added");
    expect(page.html).toContain("Block added.");
    expect(page.html).toContain(`data-rule="${block?.id}"`);

    const changed = await b.post(`/dashboard/blocks/${block?.id}/change`, {
      seconds: "",
      reason: "for good",
    });
    expect(changed.res.status).toBe(303);
    const [now] = await b.node.services.rules.blocks();
    expect(now).toMatchObject({ user: "dash-1", reason: "for good" });
    expect(now?.expiresAt).toBeUndefined();
    expect(now?.id).not.toBe(block?.id);

    await b.get();
    expect((await b.post(`/dashboard/blocks/${now?.id}/remove`, {})).res.status).toBe(303);
    expect(await b.node.services.rules.blocks()).toEqual([]);
    expect((await b.node.check({ policies: ["enforced"], user: "dash-1" })).status).toBe(200);
    const audit = await b.node.services.rules.audit(10);
    expect(audit.map((e) => [e.action, e.door])).toEqual([
      ["unblock", "dashboard"],
      ["unblock", "dashboard"],
      ["block", "dashboard"],
      ["block", "dashboard"],
    ]);
  });

  it("sets, changes and removes an override, and says what is wrong with a bad one", async () => {
    const b = browser(metricsRegistry());
    await b.signIn();
    await b.get();
    const set = { policy: "enforced", user: "vip", rate: "50", per: "60", seconds: "" };
    expect((await b.post("/dashboard/overrides", set)).res.status).toBe(303);
    const [rule] = await b.node.services.rules.overrides();
    expect(rule).toMatchObject({ policy: "enforced", user: "vip", limit: { rate: 50, per: 60 } });
    const check = await b.node.check({ policies: ["enforced"], user: "vip" });
    expect(((await check.json()) as { policies: { limit: number }[] }).policies[0]?.limit).toBe(50);

    // "Change" opens the form filled in; saving it again replaces the same override.
    const page = await b.get(`/dashboard?policy=enforced&user=vip&rate=50&per=60#override`);
    expect(page.html).toContain('name="rate" placeholder="rate" inputmode="numeric" value="50"');
    await b.post("/dashboard/overrides", { ...set, unlimited: "1" });
    const [changed] = await b.node.services.rules.overrides();
    expect(changed).toMatchObject({ id: rule?.id, limit: "unlimited" });

    await b.get();
    const bad = await b.post("/dashboard/overrides", {
      policy: "enforced",
      user: "x",
      rate: "abc",
    });
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain('role="alert"');
    expect(bad.html).toMatch(/rate must be a positive integer, got &quot;abc&quot;/);

    expect((await b.post(`/dashboard/overrides/${rule?.id}/remove`, {})).res.status).toBe(303);
    expect(await b.node.services.rules.overrides()).toEqual([]);
  });
});

describe("the dashboard page", () => {
  it("shows the counts per policy, with the shadow would-deny count beside the enforced one", async () => {
    const b = browser(metricsRegistry());
    for (let i = 0; i < 10; i++) await b.node.check({ policies: ["enforced"], user: "p1" });
    for (let i = 0; i < 6; i++) await b.node.check({ policies: ["shadowed"], user: "p2" });
    await b.signIn();
    const { html } = await b.get();
    expect(cell(html, "enforced", "checks")).toBe("10");
    expect(cell(html, "enforced", "admitted")).toBe("7");
    expect(cell(html, "enforced", "denied")).toBe("3");
    expect(cell(html, "enforced", "denialRate")).toBe("30.0%");
    expect(cell(html, "shadowed", "denied")).toBe("0");
    expect(cell(html, "shadowed", "shadowDenied")).toBe("4");
    expect(html).toContain('data-subject="USER:p1"');
    expect(html).toMatch(
      /<div class="chart" data-policy="enforced" data-series="\{&quot;t&quot;:\[/,
    );
  });

  it("escapes everything users send: a key may be <script>", async () => {
    const b = browser(metricsRegistry());
    const key = "<script>alert(1)</script>";
    for (let i = 0; i < 3; i++) await b.node.check({ policies: ["per_key"], key });
    await b.node.services.rules.block({ key, reason: '<img src=x onerror="alert(2)">' }, "http");
    await b.signIn();
    const { html } = await b.get();
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("KEY:&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    // The only scripts are the page's own two, from this origin.
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it("keeps the rules at hand while the metrics cannot be read", async () => {
    const down = {
      getByName: () => ({
        apply: () => Promise.reject(new Error("down")),
        window: () => Promise.reject(new Error("down")),
      }),
    };
    const b = browser(metricsRegistry(), { metrics: down });
    await b.signIn();
    const { res, html } = await b.get();
    expect(res.status).toBe(200);
    expect(html).toContain("The metrics could not be read just now");
    expect(html).toContain(
      '<form method="post" action="/dashboard/blocks" class="add" id="block">',
    );
  });

  it("serves its chart library and script itself", async () => {
    const b = browser(metricsRegistry());
    const uplot = await b.request("/dashboard/assets/uplot.js");
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(await uplot.text()).toContain("uPlot");
    expect((await b.request("/dashboard/assets/dashboard.js")).status).toBe(200);
    expect((await b.request("/dashboard/assets/nope.js")).status).toBe(404);
  });
});
