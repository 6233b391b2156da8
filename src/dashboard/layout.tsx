import type { Child } from "hono/jsx";

/** The page around every view: styles, the chart library and the page's script, all local. */
export function Layout({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        {/* No icon: a browser would otherwise ask for /favicon.ico. */}
        <link rel="icon" href="data:," />
        <title>{title}</title>
        <link rel="stylesheet" href="/dashboard/assets/uplot.css" />
        <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
      </head>
      <body>
        {children}
        <script src="/dashboard/assets/uplot.js" />
        <script src="/dashboard/assets/dashboard.js" />
      </body>
    </html>
  );
}

/** Every form of a session carries its token, and the window the page shows. */
export function Hidden({ csrf, minutes }: { csrf: string; minutes: number }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="minutes" value={String(minutes)} />
    </>
  );
}

export function SignIn({ error }: { error?: string | undefined }) {
  return (
    <Layout title="Sign in · edge-limiter">
      <main class="sign-in">
        <h1>edge-limiter</h1>
        <form method="post" action="/dashboard/sign-in">
          <label for="token">Admin token</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="current-password"
            required
            autofocus
          />
          {error ? (
            <p class="error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit">Sign in</button>
        </form>
        <p class="hint">The ADMIN_TOKEN secret (locally, in .dev.vars).</p>
      </main>
    </Layout>
  );
}
