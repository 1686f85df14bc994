/**
 * Pure planning for rollbacks: which update to restore, and which config keys differ.
 */
import { GlidepathError } from "./errors";
import type { HistoryConfigValue, HistoryEntry } from "./history";
import { configDigest, configValue, successfulUpdates } from "./history";

/**
 * Which update to go back to:
 * - `{ version }`: an update number from `glidepath history` (refused when it ran mid-ramp);
 * - `{ previous }`: the green state before the one the stack is on: the newest successful
 *   update outside a ramp that is older than the stack's current update and whose plain
 *   config differs from it (so after a promotion it is the state before the ramp, never a
 *   canary step);
 * - `{ green }`: the newest successful update outside a ramp (the driver's abort);
 * - `{ restore }`: the restore point a ramp recorded when it started (update number and
 *   config digest); when the number does not hold that digest, the update that does;
 * - `{ tag }`: the newest green state whose releases are all at a version tag.
 */
export type RollbackTarget =
  | { version: number }
  | { previous: true }
  | { green: true }
  | { restore: { update: number; digest: string } }
  | { tag: string };

/** Whether an update ran with a ramp in progress (a canary at an intermediate step). */
export function inRamp(entry: HistoryEntry): boolean {
  return "glidepath:ramp" in entry.config;
}

/** Whether every app's stable release in an update's config is at `tag`, with no canary. */
function allStableAt(entry: HistoryEntry, tag: string): boolean {
  const releases = configValue(entry.config["glidepath:releases"]) as
    | Record<string, { stable?: { version?: string }; canary?: unknown }>
    | undefined;
  const apps = typeof releases === "object" && releases !== null ? Object.values(releases) : [];
  return apps.length > 0 && apps.every((r) => r.stable?.version === tag && r.canary === undefined);
}

/** The canary weights of an in-ramp update, for messages (`wix 25%`). */
function rampText(entry: HistoryEntry): string {
  const ramp = configValue(entry.config["glidepath:ramp"]) as { version?: unknown; weight?: unknown };
  return typeof ramp === "object" && ramp !== null
    ? `canary ${String(ramp.version)} at ${String(ramp.weight)}%`
    : "a canary";
}

/**
 * Picks the update to restore from the history (newest first).
 *
 * @param history - the whole stack history, newest first
 * @param target - what to restore
 * @throws GlidepathError `GP_HISTORY_NO_MATCH` (exit 2) naming the updates that can be restored
 */
export function pickRestorePoint(history: readonly HistoryEntry[], target: RollbackTarget): HistoryEntry {
  const updates = successfulUpdates(history);
  const green = updates.filter((u) => !inRamp(u));
  let pick: HistoryEntry | undefined;
  if ("version" in target) {
    pick = updates.find((u) => u.version === target.version);
    if (pick !== undefined && inRamp(pick)) {
      const older = green.find((u) => u.version < target.version);
      const newer = [...green].reverse().find((u) => u.version > target.version);
      const nearest = [older, newer].flatMap((u) => (u ? [`${u.version} (${u.message})`] : []));
      throw new GlidepathError(
        "GP_HISTORY_NO_MATCH",
        `update ${target.version} ran in the middle of a ramp (${rampText(pick)}); restoring it would leave a canary live with no driver; nothing was changed`,
        nearest.length > 0
          ? `pick a green update instead: ${nearest.join(" or ")}, with \`glidepath rollback --to <N>\``
          : "there is no green update to roll back to; deploy one with `glidepath up`",
      );
    }
  } else if ("green" in target) {
    pick = green[0];
  } else if ("restore" in target) {
    const { update, digest } = target.restore;
    const byNumber = green.find((u) => u.version === update);
    pick =
      byNumber !== undefined && configDigest(byNumber.config) === digest
        ? byNumber
        : green.find((u) => configDigest(u.config) === digest);
  } else if ("tag" in target) {
    pick = green.find((u) => allStableAt(u, target.tag));
  } else {
    // The stack is on its newest update (a failed one leaves it on what that update reached).
    const current = history.find((h) => h.kind === "update");
    const digest = current?.result === "succeeded" ? configDigest(current.config) : undefined;
    pick = green.find(
      (u) => current !== undefined && u.version < current.version && configDigest(u.config) !== digest,
    );
    if (pick === undefined && current?.result !== "succeeded") pick = green[0];
  }
  if (pick !== undefined) return pick;
  const available = green.map((u) => u.version).join(", ") || "none";
  const wanted =
    "version" in target
      ? `successful update ${target.version}`
      : "green" in target
        ? "successful update outside a ramp"
        : "restore" in target
          ? `successful update outside a ramp with the config the ramp started from (update ${target.restore.update}, ${target.restore.digest.slice(0, 19)}…)`
          : "tag" in target
            ? `successful update with every app's stable release at ${target.tag}`
            : "earlier green update (a successful update outside a ramp with another config)";
  throw new GlidepathError(
    "GP_HISTORY_NO_MATCH",
    `stack history has no ${wanted} to roll back to (green updates: ${available})`,
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
