/**
 * The rollback primitive: restore the config of an earlier successful update (secrets
 * included, re-encrypted by Pulumi), run `up` with refresh, then confirm the target itself
 * converged. Importing an old checkpoint is not a rollback: it changes state, not the world.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { type CliContext, restoreConfig, withConfigGuard } from "./config-restore";
import { runUp } from "./deploy";
import { GlidepathError } from "./errors";
import { configText, type HistoryConfigValue, readHistory } from "./history";
import { rollbackMessage } from "./messages";
import { diffConfigKeys, pickRestorePoint, type RollbackTarget } from "./rollback-plan";
import { validateRawConfig } from "./stack-config";

export type { RollbackTarget } from "./rollback-plan";

/** What a rollback did. */
export interface RollbackResult {
  /** The update whose config was restored. */
  restored: { version: number; message: string };
  /** The message of the rollback update. */
  message: string;
  /** Resource operation counts of the rollback update. */
  changes: Record<string, number>;
  /** Config keys the rollback changed, added or removed (names only). */
  changedKeys: string[];
}

/**
 * Confirms that the target matches the stack's state: a refresh preview must find no drift.
 *
 * @throws GlidepathError `GP_NOT_CONVERGED` with the drift counts
 */
export async function verifyConverged(stack: Stack): Promise<void> {
  const preview = await stack.previewRefresh();
  const drift = Object.entries(preview.changeSummary ?? {}).filter(
    ([op, n]) => op !== "same" && (n ?? 0) > 0,
  );
  if (drift.length > 0) {
    throw new GlidepathError(
      "GP_NOT_CONVERGED",
      `after the update, the target still differs from the stack state (${drift.map(([op, n]) => `${op}: ${n}`).join(", ")})`,
      `run \`pulumi refresh --stack ${stack.name}\` to see the drift, then \`glidepath up --stack ${stack.name}\``,
    );
  }
}

/**
 * Rolls the stack back to an earlier successful update. If the restore or the update fails,
 * the stack's config file is put back as it was.
 *
 * @param stack - the stack
 * @param cli - how to run the CLI (secrets are restored through stdin)
 * @param target - the update to restore @default - the last green update before the current one
 * @param onOutput - engine output lines @default - discarded
 */
export async function rollback(
  stack: Stack,
  cli: CliContext,
  target: RollbackTarget = { previous: true },
  onOutput?: (line: string) => void,
): Promise<RollbackResult> {
  const history = await readHistory(stack, true);
  const point = pickRestorePoint(history, target);
  const desired = point.config;
  // Validate before touching anything: an old config that no longer parses is not restored.
  validateRawConfig(
    stack.name,
    Object.fromEntries(Object.entries(desired).map(([k, v]) => [k, configText(v)])),
    stack.workspace.workDir,
    new Set(Object.entries(desired).flatMap(([k, v]) => (v.secret ? [k] : []))),
  );
  const current = await stack.getAllConfig();
  const changedKeys = diffConfigKeys(current as Record<string, HistoryConfigValue>, desired);
  const message = rollbackMessage(stack.name, point.version, point.message);
  const changes = await withConfigGuard(stack, async () => {
    await restoreConfig(stack, cli, desired);
    return (await runUp(stack, message, { refresh: true, onOutput })).changes;
  });
  await verifyConverged(stack);
  return { restored: { version: point.version, message: point.message }, message, changes, changedKeys };
}
