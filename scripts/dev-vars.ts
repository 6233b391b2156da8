// Before `npm run dev`: give a fresh clone a local API token, so the quickstart works as is.
// An existing .dev.vars is never touched.
import { copyFileSync, existsSync } from "node:fs";

const target = new URL("../.dev.vars", import.meta.url);
if (!existsSync(target)) {
  copyFileSync(new URL("../.dev.vars.example", import.meta.url), target);
  console.log("created .dev.vars from .dev.vars.example (API_TOKEN=dev-token-change-me)");
}
