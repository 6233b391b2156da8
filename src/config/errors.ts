import type { z } from "zod";
import { didYouMean } from "./suggest.ts";

/** A config file that cannot be used. `problems` holds one readable line per fault. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`policies.json is invalid:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === "number") return `${text}[${part}]`;
    return text === "" ? String(part) : `${text}.${String(part)}`;
  }, "");
}

/** One issue as `path message`, e.g. `policies.user_throttle.rate must be ..., got 0`. */
export function issueText(issue: z.core.$ZodIssue, knownFields: (path: string) => string[]) {
  const at = pathText(issue.path);
  if (issue.code === "unrecognized_keys") {
    const known = knownFields(at);
    return issue.keys
      .map((key) => {
        const where = at === "" ? key : `${at}.${key}`;
        // A field known elsewhere here (`ttl` on a throttle) is one of another kind of policy.
        if (known.includes(key)) return `${where} is not a field of this kind of policy`;
        return `${where} is not a known field.${didYouMean(key, known)}`;
      })
      .join("\n  - ");
  }
  return `${at === "" ? "policies.json" : at} ${issue.message}`;
}
