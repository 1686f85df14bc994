/**
 * From a stack's config and the environment to each app's remote target: API URLs (stack config,
 * then `GLIDEPATH_<X>_API_URL`), the stack's scope ids, and the credentials (the environment
 * variable, else the `glidepath:<NAME>` secret config). The runbook's id variables
 * (`CLOUDFLARE_ACCOUNT_ID`, `WIX_SITE_ID`, `GAMMA_SPACE_ID`) say which scope the credentials were
 * issued for: when one differs from the stack's configured id, the credentials belong to another
 * stack and nothing may be written. Pure: the program and the CLI both call it.
 */
import type { RemoteTarget } from "../providers/targets/remote";
import type { CloudflareSpec } from "../providers/targets/specs";
import type { RunbookSecret, StackConfig } from "./config";
import { API_URL_ENV, DEFAULT_API_URLS, TARGET_SECRETS } from "./targets-config";

/** A reason the targets cannot be used. */
export interface TargetIssue {
  /** `GP_SECRETS_MISSING` (a credential is absent) or `GP_CREDENTIAL_SCOPE` (it is another stack's). */
  code: "GP_SECRETS_MISSING" | "GP_CREDENTIAL_SCOPE";
  /** What is wrong, naming the target, the variable and the ids (never a credential). */
  message: string;
}

/** The remote targets of a stack, by app (apps on `local` are absent). */
export type ResolvedTargets =
  | { ok: true; byApp: Record<string, RemoteTarget> }
  | { ok: false; issues: TargetIssue[] };

/** The environment a resolution reads. */
export type EnvLookup = Readonly<Record<string, string | undefined>>;

/**
 * The namespace id the stack's Cloudflare part writes when the program declares the namespace
 * itself (`manageWorker: true`): filled in from the declared namespace's id.
 */
export const DECLARED_NAMESPACE = "<declared by the program>";

/**
 * An API's base URL: its environment variable (`GLIDEPATH_<X>_API_URL`), else the stack config's,
 * else the public one; without a trailing slash.
 *
 * @param part - the API
 * @param configured - the stack config's URL @default - none
 * @param env - environment variables
 */
export function apiUrlOf(
  part: keyof typeof DEFAULT_API_URLS,
  configured: string | undefined,
  env: EnvLookup,
): string {
  return (env[API_URL_ENV[part]] || configured || DEFAULT_API_URLS[part]).replace(/\/+$/, "");
}

/**
 * Resolves every app's remote target.
 *
 * @param cfg - the validated config
 * @param env - environment variables
 */
export function resolveTargets(cfg: StackConfig, env: EnvLookup): ResolvedTargets {
  const issues: TargetIssue[] = [];
  // The runbook's secrets are optional string keys of the config (typed through a mapped list).
  const stored = cfg as unknown as Readonly<Record<string, string | undefined>>;
  const secret = (name: RunbookSecret, neededBy: string): string => {
    const v = env[name] ?? stored[name];
    if (v === undefined || v === "") {
      issues.push({
        code: "GP_SECRETS_MISSING",
        message: `${name} is needed by the ${neededBy} target: export it, or store it with \`pulumi config set --secret glidepath:${name} <value>\``,
      });
      return "";
    }
    return v;
  };
  const sameScope = (name: RunbookSecret, target: string, configured: string, key: string) => {
    const issued = env[name] ?? stored[name];
    if (issued !== undefined && issued !== "" && issued !== configured) {
      issues.push({
        code: "GP_CREDENTIAL_SCOPE",
        message: `${target}: the credentials are for ${name}=${issued}, but this stack's glidepath:targets.${key} is ${configured}; use this stack's credentials`,
      });
    }
  };
  const url = (part: keyof typeof DEFAULT_API_URLS, configured?: string) => apiUrlOf(part, configured, env);
  const parts = new Set(Object.values(cfg.apps).map((a) => a.target));
  let cloudflare: CloudflareSpec | undefined;
  const cf = cfg.targets.cloudflare;
  if (cf !== undefined && [...parts].some((p) => p !== "local")) {
    sameScope(TARGET_SECRETS.cloudflare[1], "cloudflare", cf.accountId, "cloudflare.accountId");
    cloudflare = {
      apiUrl: url("cloudflare", cf.apiUrl),
      accountId: cf.accountId,
      namespaceId: cf.namespaceId ?? DECLARED_NAMESPACE,
      token: secret(TARGET_SECRETS.cloudflare[0], "cloudflare"),
    };
  }
  const wix = cfg.targets.wix;
  if (wix !== undefined && parts.has("wix")) {
    sameScope(TARGET_SECRETS.wix[1], "wix", wix.siteId, "wix.siteId");
  }
  const gamma = cfg.targets.gamma;
  if (gamma !== undefined && parts.has("gamma")) {
    sameScope(TARGET_SECRETS.gamma[1], "gamma", gamma.folderId, "gamma.folderId");
  }
  const byApp: Record<string, RemoteTarget> = {};
  const wixKey = wix !== undefined && parts.has("wix") ? secret(TARGET_SECRETS.wix[0], "wix") : "";
  const gammaToken =
    gamma !== undefined && parts.has("gamma") ? secret(TARGET_SECRETS.gamma[0], "gamma") : "";
  for (const [app, a] of Object.entries(cfg.apps)) {
    if (a.target === "local" || cloudflare === undefined) continue;
    if (a.target === "cloudflare") byApp[app] = { kind: "cloudflare", cloudflare };
    if (a.target === "wix" && wix !== undefined) {
      byApp[app] = {
        kind: "wix",
        cloudflare,
        siteUrl: wix.siteUrl,
        wix: {
          apiUrl: url("wix", wix.apiUrl),
          siteId: wix.siteId,
          apiKey: wixKey,
          collections: wix.collections,
        },
      };
    }
    if (a.target === "gamma" && gamma !== undefined) {
      byApp[app] = {
        kind: "gamma",
        cloudflare,
        gamma: {
          apiUrl: url("gamma", gamma.apiUrl),
          folderId: gamma.folderId,
          token: gammaToken,
          pollIntervalMs: gamma.pollIntervalMs,
          pollTimeoutMs: gamma.pollTimeoutMs,
        },
      };
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, byApp };
}
