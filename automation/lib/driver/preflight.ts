/**
 * Preflight: before anything runs on a stack, are the secrets its targets need present (as
 * environment variables or secret config), is its config valid, and what does it hold. The
 * report names secrets, where each was found and which target needs it; it never holds a value.
 */
import { z } from "zod";
import type { RunbookSecret, StackConfig } from "../../../infra/config";
import { DOMAIN_KEY_SECRETS } from "../../../infra/content-config";
import { TARGET_SECRETS } from "../../../infra/targets-config";

/** Where a required secret was found. */
export type SecretPresence = "env" | "config" | "missing";

/** Schema of `artifacts/orchestrator-summary.json`. */
export const preflightSummarySchema = z.strictObject({
  schema: z.literal("glidepath.orchestrator-summary/v1"),
  stack: z.string(),
  environment: z.string(),
  ok: z.boolean(),
  secrets: z.record(z.string(), z.enum(["env", "config", "missing"])),
  /** Per required secret: the target that uses it (`cloudflare`, `wix`, `gamma`). */
  neededBy: z.record(z.string(), z.string()),
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
 * The secrets a stack needs, each with the target that uses it: the Cloudflare edge's for any
 * app on a remote target, Wix's for apps on `wix`, Gamma's for apps on `gamma`; none for a stack
 * whose apps are all `local`; the SWARM log's Notion token when the stack names its SWARM
 * database; the registry sync's token and domain keys when it configures the sync. A secret
 * nothing uses is not demanded.
 *
 * @param cfg - the validated config
 */
export function requiredSecrets(cfg: StackConfig): ReadonlyMap<RunbookSecret, string> {
  const targets = new Set(Object.values(cfg.apps).map((a) => a.target));
  const out = new Map<RunbookSecret, string>();
  const add = (part: keyof typeof TARGET_SECRETS) => {
    for (const name of TARGET_SECRETS[part]) out.set(name, part);
  };
  if ([...targets].some((t) => t !== "local")) add("cloudflare");
  if (targets.has("wix")) add("wix");
  if (targets.has("gamma")) add("gamma");
  if (cfg.content.notion.swarmDatabaseId !== undefined) out.set("SWARM_NOTION_TOKEN", "swarm log");
  if (cfg.content.sync !== undefined) {
    if (cfg.content.notion.registryDatabaseId !== undefined) out.set("SWARM_NOTION_TOKEN", "registry sync");
    for (const name of Object.values(DOMAIN_KEY_SECRETS)) out.set(name, "registry sync");
  }
  return out;
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
  const required = requiredSecrets(cfg);
  for (const name of required.keys()) {
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
    neededBy: Object.fromEntries(required),
    missing,
    inventory: {
      apps,
      wasm: Object.keys(cfg.wasm).sort(),
      ramp: cfg.ramp ? `${cfg.ramp.version} step ${cfg.ramp.step + 1} at ${cfg.ramp.weight}%` : null,
    },
  };
}
