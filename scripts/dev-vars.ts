// Before `npm run dev`: give a fresh clone local secrets, so the quickstart works as is. An
// existing .dev.vars keeps every value it has; a secret it lacks that .dev.vars.example has (one
// added since it was made) is appended, so `wrangler dev` loads every required secret.
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";

const target = new URL("../.dev.vars", import.meta.url);
const example = new URL("../.dev.vars.example", import.meta.url);

const names = (text: string) =>
  new Set(text.split("\n").flatMap((line) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1] ?? []));

if (!existsSync(target)) {
  copyFileSync(example, target);
  console.log("created .dev.vars from .dev.vars.example (API_TOKEN=dev-token-change-me)");
} else {
  const have = names(readFileSync(target, "utf8"));
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((line) => {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
      return name !== undefined && !have.has(name);
    });
  if (missing.length > 0) {
    const text = readFileSync(target, "utf8");
    appendFileSync(
      target,
      `${text.endsWith("\n") || text === "" ? "" : "\n"}${missing.join("\n")}\n`,
    );
    const added = missing.map((line) => line.split("=")[0]).join(", ");
    console.log(`added ${added} to .dev.vars from .dev.vars.example`);
  }
}
