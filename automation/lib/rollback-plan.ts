/**
 * Pure planning for rollbacks: which update to restore, and which config keys differ.
 */
import { GlidepathError } from "./errors";
import type { HistoryConfigValue, HistoryEntry } from "./history";
import { successfulUpdates } from "./history";

/**
 * Which update to go back to: a number from `glidepath history`; the last green update
 * before the current one; the last green state outside any ramp (the driver's abort); or the
 * newest green state whose releases are all at a version tag.
 */
export type RollbackTarget = { version: number } | { previous: true } | { green: true } | { tag: string };

/** Whether an update ran with a ramp in progress (a canary at an intermediate step). */
export function inRamp(entry: HistoryEntry): boolean {
  return "glidepath:ramp" in entry.config;
}

/** Whether every app's stable release in an update's config is at `tag`, with no canary. */
function allStableAt(entry: HistoryEntry, tag: string): boolean {
  const raw = entry.config["glidepath:releases"];
  const releases = (raw?.objectValue ?? (raw?.value ? JSON.parse(raw.value) : undefined)) as
    | Record<string, { stable?: { version?: string }; canary?: unknown }>
    | undefined;
  const apps = Object.values(releases ?? {});
  return apps.length > 0 && apps.every((r) => r.stable?.version === tag && r.canary === undefined);
}

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
  } else if ("green" in target) {
    pick = updates.find((u) => !inRamp(u));
  } else if ("tag" in target) {
    pick = updates.find((u) => !inRamp(u) && allStableAt(u, target.tag));
  } else {
    const newestUpdate = history.find((h) => h.kind === "update");
    pick = newestUpdate?.result === "succeeded" ? updates[1] : updates[0];
  }
  if (pick !== undefined) return pick;
  const available = updates.map((u) => u.version).join(", ") || "none";
  const wanted =
    "version" in target
      ? `successful update ${target.version}`
      : "green" in target
        ? "successful update outside a ramp"
        : "tag" in target
          ? `successful update with every app's stable release at ${target.tag}`
          : "earlier successful update";
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
