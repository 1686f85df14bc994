/**
 * Where a stack's SWARM log goes besides its JSONL file (pure). A stack sends its events to
 * Notion only when its own config names the SWARM database (`glidepath:content.notion
 * .swarmDatabaseId`, or the `glidepath:SWARM_DB_ID` secret): an exported `SWARM_DB_ID` alone never
 * turns Notion on (the local stack keeps JSONL only), it only says which database the exported
 * token was issued for, and a mismatch with the stack's database refuses the credentials.
 */
import type { StackConfig } from "../../../infra/config";
import { apiUrlOf, type EnvLookup, type TargetIssue } from "../../../infra/target-specs";

/** The Notion side of a stack's SWARM log. */
export interface NotionDestination {
  kind: "notion";
  /** The SWARM database. */
  databaseId: string;
  /** The API origin (`GLIDEPATH_NOTION_API_URL`, else the stack config's, else Notion's own). */
  baseUrl: string;
  /** The integration token; absent when it is not set (read-only commands still count pending events). */
  token?: string;
}

/** A stack's SWARM destination: the JSONL file only, or Notion as well. */
export type SwarmDestination = { kind: "jsonl" } | NotionDestination;

/** The destination, and what stops events from being delivered there. */
export interface ResolvedDestination {
  destination: SwarmDestination;
  /** Empty when events can be delivered. */
  issues: TargetIssue[];
}

/** The stable name of a destination in the delivered-ids file. */
export function destinationKey(d: NotionDestination): string {
  return `notion:${d.databaseId}`;
}

/**
 * Resolves a stack's SWARM destination.
 *
 * @param cfg - the validated config (secrets decrypted in memory, when the caller loaded them)
 * @param env - environment variables
 */
export function swarmDestination(cfg: StackConfig, env: EnvLookup): ResolvedDestination {
  const stored = cfg as unknown as Readonly<Record<string, string | undefined>>;
  const databaseId = cfg.content.notion.swarmDatabaseId ?? (stored.SWARM_DB_ID || undefined);
  if (databaseId === undefined) return { destination: { kind: "jsonl" }, issues: [] };
  const issues: TargetIssue[] = [];
  const issued = env.SWARM_DB_ID;
  if (issued !== undefined && issued !== "" && issued !== databaseId) {
    issues.push({
      code: "GP_CREDENTIAL_SCOPE",
      message: `SWARM log: the Notion credentials are for SWARM_DB_ID=${issued}, but this stack's SWARM database is ${databaseId}; use this stack's SWARM_NOTION_TOKEN and SWARM_DB_ID`,
    });
  }
  const token = env.SWARM_NOTION_TOKEN || stored.SWARM_NOTION_TOKEN || undefined;
  if (token === undefined) {
    issues.push({
      code: "GP_SECRETS_MISSING",
      message:
        "SWARM_NOTION_TOKEN is needed by the SWARM log in Notion: export it, or store it with `pulumi config set --secret glidepath:SWARM_NOTION_TOKEN <value>`",
    });
  }
  const baseUrl = apiUrlOf("notion", cfg.content.notion.apiUrl, env);
  return {
    destination: { kind: "notion", databaseId, baseUrl, ...(token === undefined ? {} : { token }) },
    issues,
  };
}
