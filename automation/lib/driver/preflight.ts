/**
 * Preflight: before anything runs on a stack, are the secrets its targets need present (as
 * environment variables or secret config), is its config valid, and what does it hold. The
 * report names secrets and where each was found; it never holds a value.
 */
import { z } from "zod";
import { RUNBOOK_SECRETS, type RunbookSecret, type StackConfig } from "../../../infra/config";

/** Where a required secret was found. */
export type SecretPresence = "env" | "config" | "missing";

/** Schema of `artifacts/orchestrator-summary.json`. */
export const preflightSummarySchema = z.strictObject({
  schema: z.literal("glidepath.orchestrator-summary/v1"),
  stack: z.string(),
  environment: z.string(),
  ok: z.boolean(),
  secrets: z.record(z.string(), z.enum(["env", "config", "missing"])),
  missing: z.array(z.string()),
  inventory: z.strictObject({
    apps: z.record(
      z.string(),
      z.strictObject({
        target: z.string(),
        stable: z.string().nullable(),
        canary: z.string().nullable(),
        weight: z.number(),
        flags: z.number().int(),
      }),
    ),
    wasm: z.array(z.string()),
    ramp: z.string().nullable(),
  }),
});

/** The preflight summary. */
export type PreflightSummary = z.infer<typeof preflightSummarySchema>;

/**
 * The secrets a stack needs: none for `local` (everything is on this machine); the runbook's
 * set for staging and production, whose real targets and SWARM log need them.
 *
 * @param environment - `glidepath:environment`
 */
export function requiredSecrets(environment: StackConfig["environment"]): readonly RunbookSecret[] {
  return environment === "local" ? [] : RUNBOOK_SECRETS;
}

/**
 * Builds the summary (pure).
 *
 * @param stack - the stack name
 * @param cfg - the validated config
 * @param env - the environment variables to look in
 * @param secretConfigKeys - config keys that are set as secrets (names only)
 */
export function preflightSummary(
  stack: string,
  cfg: StackConfig,
  env: Readonly<Record<string, string | undefined>>,
  secretConfigKeys: ReadonlySet<string>,
): PreflightSummary {
  const secrets: Record<string, SecretPresence> = {};
  for (const name of requiredSecrets(cfg.environment)) {
    secrets[name] =
      (env[name] ?? "") !== "" ? "env" : secretConfigKeys.has(`glidepath:${name}`) ? "config" : "missing";
  }
  const missing = Object.entries(secrets)
    .filter(([, p]) => p === "missing")
    .map(([n]) => n);
  const apps = Object.fromEntries(
    Object.entries(cfg.apps)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([app, a]) => [
        app,
        {
          target: a.target,
          stable: cfg.releases[app]?.stable.version ?? null,
          canary: cfg.releases[app]?.canary?.version ?? null,
          weight: cfg.weights[app] ?? 0,
          flags: Object.keys(cfg.flags[app] ?? {}).length,
        },
      ]),
  );
  return {
    schema: "glidepath.orchestrator-summary/v1",
    stack,
    environment: cfg.environment,
    ok: missing.length === 0,
    secrets,
    missing,
    inventory: {
      apps,
      wasm: Object.keys(cfg.wasm).sort(),
      ramp: cfg.ramp ? `${cfg.ramp.version} step ${cfg.ramp.step + 1} at ${cfg.ramp.weight}%` : null,
    },
  };
}
