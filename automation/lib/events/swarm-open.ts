/**
 * A stack's SWARM destination, read when a command opens the stack: the stack file says whether
 * the stack has a SWARM database at all (most stacks, the local one included, have none, and
 * nothing more is read); only then is the config loaded with its secrets to find the token.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { GlidepathError } from "../errors";
import { loadStackConfig, stackFileConfig } from "../stack-config";
import { type ResolvedDestination, swarmDestination } from "./swarm-destination";

const JSONL_ONLY: ResolvedDestination = { destination: { kind: "jsonl" }, issues: [] };

/** Whether the stack file names a SWARM database (`content.notion.swarmDatabaseId` or `SWARM_DB_ID`). */
function namesSwarmDatabase(file: Record<string, unknown>): boolean {
  if (file["glidepath:SWARM_DB_ID"] !== undefined) return true;
  const content = file["glidepath:content"] as { notion?: { swarmDatabaseId?: unknown } } | undefined;
  return content?.notion?.swarmDatabaseId !== undefined;
}

/**
 * Resolves the SWARM destination of an opened stack.
 *
 * @param stack - the opened stack
 * @param projectDir - the project directory
 * @param strict - a command that writes events: a config that cannot be read throws; otherwise it
 *   reads as JSONL only (a read-only command reports the config on its own) @default true
 */
export async function openSwarmDestination(
  stack: Stack,
  projectDir: string,
  strict = true,
): Promise<ResolvedDestination> {
  if (!namesSwarmDatabase(await stackFileConfig(projectDir, stack.name))) return JSONL_ONLY;
  try {
    return swarmDestination(await loadStackConfig(stack), process.env);
  } catch (e) {
    if (strict) throw e;
    return JSONL_ONLY;
  }
}

/**
 * Refuses a command that writes SWARM events when they could not reach the stack's database.
 *
 * @param stack - the stack name
 * @param resolved - its destination
 * @throws GlidepathError `GP_CREDENTIAL_SCOPE` (another stack's credentials) or
 *   `GP_SECRETS_MISSING` (no token), before anything is changed
 */
export function assertSwarmDeliverable(stack: string, resolved: ResolvedDestination): void {
  if (resolved.issues.length === 0) return;
  const scope = resolved.issues.some((i) => i.code === "GP_CREDENTIAL_SCOPE");
  throw new GlidepathError(
    scope ? "GP_CREDENTIAL_SCOPE" : "GP_SECRETS_MISSING",
    `stack "${stack}" cannot write its SWARM log to Notion; nothing was changed:\n${resolved.issues.map((i) => `  ${i.message}`).join("\n")}`,
    scope
      ? `use the Notion credentials issued for stack "${stack}" (docs/runbook.md, "The SWARM log in Notion")`
      : `run \`glidepath preflight --stack ${stack}\` to list what is missing`,
  );
}
