// The dashboard's scripts and styles, bundled into the worker as text (wrangler.toml's
// `[[rules]]`), so the page works offline and nothing is fetched from a CDN.

import uplotJs from "uplot/dist/uPlot.iife.min.js";
import uplotCss from "uplot/dist/uPlot.min.css";
import dashboardCss from "./assets/dashboard.css";
import dashboardJs from "./assets/dashboard.js";

export const ASSETS: Record<string, { body: string; type: string }> = {
  "uplot.js": { body: uplotJs, type: "text/javascript; charset=utf-8" },
  "uplot.css": { body: uplotCss, type: "text/css; charset=utf-8" },
  "dashboard.js": { body: dashboardJs, type: "text/javascript; charset=utf-8" },
  "dashboard.css": { body: dashboardCss, type: "text/css; charset=utf-8" },
};
