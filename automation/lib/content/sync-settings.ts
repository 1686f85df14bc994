/**
 * What `glidepath sync` needs from a stack's config and environment, checked before anything is
 * read or written (pure): the registry database, the Notion token and API origin, the sync
 * endpoint, and each domain's collection and key. Every problem is listed at once, naming the
 * setting and the fix.
 */
import type { StackConfig } from "../../../infra/config";
import { DOMAIN_KEY_SECRETS, DOMAINS, type Domain } from "../../../infra/content-config";
import { apiUrlOf, type EnvLookup } from "../../../infra/target-specs";
import { GlidepathError } from "../errors";
import type { SyncDomains } from "./firewall";

/** The sync's settings, resolved. Holds secrets: never print or write it. */
export interface SyncSettings {
  /** The stack. */
  stack: string;
  /** `glidepath:content.notion.registryDatabaseId`. */
  registryDatabaseId: string;
  /** Notion's origin (`GLIDEPATH_NOTION_API_URL` > `glidepath:content.notion.apiUrl` > Notion's). */
  notionUrl: string;
  /** `SWARM_NOTION_TOKEN` (a secret). */
  notionToken: string;
  /** The endpoint (`WIX_SYNC_ENDPOINT` > `glidepath:content.sync.url` > `<siteUrl>/_functions/sync`). */
  endpoint: string;
  /** `glidepath:content.sync.domains`. */
  domains: SyncDomains;
  /** Each domain's key secret (`WIREDCHAOS_KEY_<DOMAIN>`). */
  keys: Record<Domain, string>;
}

/** Whether a text is an http(s) URL. */
function isHttpUrl(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * Resolves and checks the sync's settings.
 *
 * @param stack - the stack's name
 * @param cfg - its validated config (secrets decrypted in memory)
 * @param env - environment variables
 * @throws GlidepathError `GP_CONFIG_INVALID` (exit 2) naming each missing setting;
 *   `GP_SECRETS_MISSING` naming each missing secret (names only)
 */
export function syncSettingsOf(stack: string, cfg: StackConfig, env: EnvLookup): SyncSettings {
  const stored = cfg as unknown as Readonly<Record<string, string | undefined>>;
  const secretOf = (name: string): string => {
    const v = env[name] || stored[name];
    return typeof v === "string" ? v : "";
  };
  const set = (key: string, what: string) =>
    `glidepath:${key} is not set (${what}): \`pulumi config set --path glidepath:${key} <value> --stack ${stack}\``;
  const config: string[] = [];
  const databaseId = cfg.content.notion.registryDatabaseId;
  if (databaseId === undefined)
    config.push(set("content.notion.registryDatabaseId", "the Notion registry's database id"));
  const sync = cfg.content.sync;
  if (sync === undefined)
    config.push(
      `glidepath:content.sync is not set (each domain's collection and key id): set glidepath:content.sync.domains.Business and .Gaming, each {collection, keyId, gammaFolderId?}`,
    );
  const endpoint =
    secretOf("WIX_SYNC_ENDPOINT") ||
    sync?.url ||
    (cfg.targets.wix === undefined ? "" : `${cfg.targets.wix.siteUrl.replace(/\/+$/, "")}/_functions/sync`);
  if (endpoint === "")
    config.push(
      `no sync endpoint: set WIX_SYNC_ENDPOINT, glidepath:content.sync.url, or glidepath:targets.wix.siteUrl (the endpoint is then <siteUrl>/_functions/sync)`,
    );
  else if (!isHttpUrl(endpoint))
    config.push(`WIX_SYNC_ENDPOINT is not an http(s) URL: set it to the site's /_functions/sync URL`);
  if (config.length > 0)
    throw new GlidepathError(
      "GP_CONFIG_INVALID",
      `stack "${stack}" cannot sync its registry; nothing was read or written:\n${config.map((l) => `  ${l}`).join("\n")}`,
      "set them in Pulumi.<stack>.yaml (docs/runbook.md, “Syncing the registry to Wix”)",
    );
  const missing = ["SWARM_NOTION_TOKEN", ...DOMAINS.map((d) => DOMAIN_KEY_SECRETS[d])].filter(
    (n) => secretOf(n) === "",
  );
  if (missing.length > 0)
    throw new GlidepathError(
      "GP_SECRETS_MISSING",
      `stack "${stack}" cannot sync its registry: missing ${missing.join(", ")}; nothing was read or written`,
      `export each one, or store it with \`pulumi config set --secret glidepath:<NAME> --stack ${stack}\``,
    );
  return {
    stack,
    registryDatabaseId: databaseId as string,
    notionUrl: apiUrlOf("notion", cfg.content.notion.apiUrl, env),
    notionToken: secretOf("SWARM_NOTION_TOKEN"),
    endpoint,
    domains: (sync as NonNullable<typeof sync>).domains,
    keys: { Business: secretOf(DOMAIN_KEY_SECRETS.Business), Gaming: secretOf(DOMAIN_KEY_SECRETS.Gaming) },
  };
}
