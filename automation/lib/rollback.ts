/**
 * The rollback primitive: restore the config of an earlier successful update (secrets
 * included, re-encrypted by Pulumi), run `up` with refresh, then confirm the target itself
 * converged. Importing an old checkpoint is not a rollback: it changes state, not the world.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { runUp } from "./deploy";
import { GlidepathError } from "./errors";
import { type HistoryConfigValue, type HistoryEntry, readHistory, successfulUpdates } from "./history";
import { rollbackMessage } from "./messages";
import { rawConfig, validateRawConfig } from "./stack-config";

/** Which update to go back to. */
export type RollbackTarget = { version: number } | { previous: true };

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
 * Picks the update to restore from the history (newest first).
 *
 * @throws GlidepathError `GP_HISTORY_NO_MATCH` (exit 2) naming the updates that can be restored
 */
export function pickRestorePoint(history: readonly HistoryEntry[], target: RollbackTarget): HistoryEntry {
  const updates = successfulUpdates(history);
  const pick = "version" in target ? updates.find((u) => u.version === target.version) : updates[1];
  if (pick !== undefined) return pick;
  const available = updates.map((u) => u.version).join(", ") || "none";
  const wanted = "version" in target ? `successful update ${target.version}` : "earlier successful update";
  throw new GlidepathError(
    "GP_HISTORY_NO_MATCH",
    `stack history has no ${wanted} to roll back to (successful updates: ${available})`,
    "pick one of the listed updates with `glidepath rollback --to <N>`; `glidepath history` lists them",
  );
}

/** Config keys whose value or secrecy differs between two config maps (names only). */
export function diffConfigKeys(
  current: Readonly<Record<string, HistoryConfigValue>>,
  desired: Readonly<Record<string, HistoryConfigValue>>,
): string[] {
  const keys = new Set([...Object.keys(current), ...Object.keys(desired)]);
  return [...keys]
    .filter((k) => {
      const a = current[k];
      const b = desired[k];
      return a === undefined || b === undefined || a.value !== b.value || a.secret !== b.secret;
    })
    .sort();
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
 * Rolls the stack back to an earlier successful update.
 *
 * @param stack - the stack
 * @param target - the update to restore @default - the previous successful update
 * @param onOutput - engine output lines @default - discarded
 */
export async function rollback(
  stack: Stack,
  target: RollbackTarget = { previous: true },
  onOutput?: (line: string) => void,
): Promise<RollbackResult> {
  const history = await readHistory(stack, true);
  const point = pickRestorePoint(history, target);
  const desired = point.config;
  // Validate before touching anything: an old config that no longer parses is not restored.
  validateRawConfig(
    stack.name,
    Object.fromEntries(
      Object.entries(desired).map(([k, v]) => [k, v.value ?? JSON.stringify(v.objectValue)]),
    ),
  );
  const current = await stack.getAllConfig();
  const changedKeys = diffConfigKeys(current as Record<string, HistoryConfigValue>, desired);
  const stale = Object.keys(current).filter((k) => !(k in desired));
  if (stale.length > 0) await stack.removeAllConfig(stale);
  await stack.setAllConfigJson(JSON.stringify(desired));
  // The restored config must now equal the old one exactly.
  const after = rawConfig(await stack.getAllConfig());
  const mismatch = diffConfigKeys(
    Object.fromEntries(Object.entries(after).map(([k, v]) => [k, { value: v, secret: false }])),
    Object.fromEntries(Object.entries(desired).map(([k, v]) => [k, { value: v.value, secret: false }])),
  );
  if (mismatch.length > 0) {
    throw new GlidepathError(
      "GP_NOT_CONVERGED",
      `restoring the config of update ${point.version} left these keys different: ${mismatch.join(", ")}`,
      `inspect \`pulumi config --stack ${stack.name}\` and set them by hand, then run the rollback again`,
    );
  }
  const message = rollbackMessage(stack.name, point.version, point.message);
  const { changes } = await runUp(stack, message, { refresh: true, onOutput });
  await verifyConverged(stack);
  return { restored: { version: point.version, message: point.message }, message, changes, changedKeys };
}
