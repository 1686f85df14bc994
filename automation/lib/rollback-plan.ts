/**
 * Pure planning for rollbacks: which update to restore, and which config keys differ.
 */
import { GlidepathError } from "./errors";
import type { HistoryConfigValue, HistoryEntry } from "./history";
import { successfulUpdates } from "./history";

/** Which update to go back to. */
export type RollbackTarget = { version: number } | { previous: true };

/**
 * Picks the update to restore from the history (newest first). `previous` means the last
 * green update before the one the stack is on: when the newest update succeeded, the
 * successful update before it; when the newest update failed, the newest successful one
 * (the stack is still on it).
 *
 * @throws GlidepathError `GP_HISTORY_NO_MATCH` (exit 2) naming the updates that can be restored
 */
export function pickRestorePoint(history: readonly HistoryEntry[], target: RollbackTarget): HistoryEntry {
  const updates = successfulUpdates(history);
  let pick: HistoryEntry | undefined;
  if ("version" in target) {
    pick = updates.find((u) => u.version === target.version);
  } else {
    const newestUpdate = history.find((h) => h.kind === "update");
    pick = newestUpdate?.result === "succeeded" ? updates[1] : updates[0];
  }
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
      return (
        a === undefined || b === undefined || a.value !== b.value || Boolean(a.secret) !== Boolean(b.secret)
      );
    })
    .sort();
}
