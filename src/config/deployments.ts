import { ConfigError } from "./errors.ts";
import { Registry } from "./registry.ts";
import { unlistedSecrets } from "./secrets.ts";
import { didYouMean } from "./suggest.ts";

/** The var of each wrangler environment that names its set in policies.json. */
export const POLICY_ENV = "POLICY_ENV";

interface DurableObjectBinding {
  name: string;
  class_name?: string;
}

/** What the build check reads of one deployment in wrangler.toml. */
interface WranglerSection {
  vars?: Record<string, unknown>;
  secrets?: { required?: string[] };
  durable_objects?: { bindings?: DurableObjectBinding[] };
}

/** wrangler.toml, parsed: the top level and its `[env.NAME]` sections. */
export interface WranglerConfig extends WranglerSection {
  env?: Record<string, WranglerSection>;
}

interface Deployment {
  /** How wrangler.toml names the section, e.g. `[env.staging]`; "" for the top level. */
  envName: string | undefined;
  section: WranglerSection;
}

const label = (envName: string | undefined, part: string) =>
  envName === undefined ? `[${part}]` : `[env.${envName}.${part}]`;

/** One deployment's faults: its policy set, its secrets, the bindings it must redeclare. */
function deploymentProblems(json: unknown, top: WranglerConfig, { envName, section }: Deployment) {
  const problems: string[] = [];
  const policyEnv = section.vars?.[POLICY_ENV];
  let registry: Registry | undefined;
  try {
    registry = Registry.fromJson(json, typeof policyEnv === "string" ? policyEnv : undefined);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Every set was valid (the caller checked): only the name POLICY_ENV gives can be wrong.
    problems.push(
      `${label(envName, "vars")} ${POLICY_ENV} = "${String(policyEnv)}" names no environment of policies.json.` +
        didYouMean(String(policyEnv), Registry.fromJson(json).environments),
    );
  }
  if (
    envName !== undefined &&
    policyEnv === undefined &&
    registry?.environments.includes(envName)
  ) {
    problems.push(
      `${label(envName, "vars")} sets no ${POLICY_ENV}, so \`--env ${envName}\` would run the ` +
        `base policies, not policies.json's environments.${envName}: add ${POLICY_ENV} = "${envName}"`,
    );
  }
  if (registry) {
    const required = section.secrets?.required;
    problems.push(...unlistedSecrets(registry, required, `${label(envName, "secrets")} required`));
  }
  if (envName !== undefined) {
    const declared = new Set((section.durable_objects?.bindings ?? []).map((b) => b.name));
    for (const binding of top.durable_objects?.bindings ?? []) {
      if (declared.has(binding.name)) continue;
      problems.push(
        `[env.${envName}] does not declare the Durable Object binding ${binding.name}, and ` +
          `wrangler does not carry it over: add [[env.${envName}.durable_objects.bindings]] ` +
          `name = "${binding.name}", class_name = "${binding.class_name ?? ""}"`,
      );
    }
  }
  return problems;
}

/**
 * What wrangler.toml and policies.json must agree on: each deployment (the top level and
 * every `[env.NAME]`) names an environment policies.json defines, or none; each environment
 * policies.json defines is applied by some deployment, so a misspelt one is not ignored;
 * each deployment lists the secrets its policies name and redeclares the Durable Object
 * bindings, which wrangler does not inherit. `json` must already be valid (Registry.fromJson).
 */
export function wranglerProblems(json: unknown, wrangler: WranglerConfig): string[] {
  const deployments: Deployment[] = [
    { envName: undefined, section: wrangler },
    ...Object.entries(wrangler.env ?? {}).map(([envName, section]) => ({ envName, section })),
  ];
  const problems = deployments.flatMap((deployment) =>
    deploymentProblems(json, wrangler, deployment),
  );
  const applied = new Set(deployments.map(({ section }) => section.vars?.[POLICY_ENV]));
  const wranglerEnvs = Object.keys(wrangler.env ?? {});
  for (const name of Registry.fromJson(json).environments) {
    if (applied.has(name)) continue;
    problems.push(
      `policies.json's environments.${name} is applied by no environment of wrangler.toml: ` +
        `add [env.${name}] with [env.${name}.vars] ${POLICY_ENV} = "${name}".` +
        didYouMean(name, wranglerEnvs),
    );
  }
  return problems;
}
