import { z } from "zod";
import { expected, integer, oneOf, token } from "./fields.ts";
import { POLICY_NAME, policyPatchSchema, policySchema } from "./policy-schema.ts";
import { telegramSchema } from "./telegram.ts";

/** A fault of a record's key (a policy's or an environment's name), at the key itself. */
function keyIssue(name: string, message: string): z.core.$ZodRawIssue {
  return { code: "custom", path: [name], input: name, message };
}

/** Wrangler's environment names as `[env.NAME]` and `--env NAME` take them. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const environments = z
  .record(
    z.string(),
    z.strictObject(
      {
        policies: z
          .record(z.string(), policyPatchSchema, {
            error: expected("an object of policies, each with the fields to change"),
          })
          .describe(
            "Per policy, the fields that replace the base's; a policy the base lacks is added " +
              '(with its kind); "enabled": false switches one off.',
          ),
      },
      { error: expected('an object like { "policies": { … } }') },
    ),
    { error: expected("an object of named environments") },
  )
  .check((ctx) => {
    for (const name of Object.keys(ctx.value)) {
      if (!ENVIRONMENT_NAME.test(name)) {
        ctx.issues.push(
          keyIssue(name, "is not a valid environment name: use 1-64 of A-Z a-z 0-9 _ -"),
        );
      }
    }
  })
  .describe(
    "Changes over the base policies per wrangler environment ([env.NAME] in wrangler.toml, " +
      "whose vars set POLICY_ENV = NAME). Without POLICY_ENV the base alone applies.",
  );

export const configSchema = z.strictObject(
  {
    $schema: z.string().optional(),
    app: token("app name", 32).default("sentinel").describe("First part of every key."),
    policies: z
      .record(z.string(), policySchema, { error: expected("an object of named policies") })
      .check((ctx) => {
        const seen = new Map<string, string>();
        for (const name of Object.keys(ctx.value)) {
          if (!POLICY_NAME.test(name)) {
            const message =
              "is not a valid policy name: use 1-64 letters, digits, _ . - (starting alnum)";
            ctx.issues.push(keyIssue(name, message));
          }
          const other = seen.get(name.toLowerCase());
          if (other !== undefined) {
            const message = `differs from policy "${other}" only by case; names must differ by more`;
            ctx.issues.push(keyIssue(name, message));
          }
          seen.set(name.toLowerCase(), name);
        }
      }),
    limiter: z
      .strictObject({
        budgetMs: integer(10, 30_000)
          .default(1000)
          .describe("How long a decision may take before the limiter counts as unavailable."),
        failMode: oneOf(["open", "closed"])
          .default("closed")
          .describe(
            "HTTP and RPC when the limiter is unavailable: closed answers 503 / a denial, " +
              "open admits and says so. Telegram bots have their own failMode.",
          ),
      })
      .default({ budgetMs: 1000, failMode: "closed" }),
    telegram: telegramSchema.optional().describe("Bots whose webhooks this worker fronts."),
    environments: environments.optional(),
  },
  { error: expected("a JSON object") },
);

export type ParsedConfig = z.output<typeof configSchema>;
