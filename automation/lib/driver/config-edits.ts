/**
 * Config edits made while a ramp runs (pure). The driver writes each phase's keys into the
 * stack file, computed from the config it holds; an operator's `pulumi config set` made during
 * a bake would be overwritten by the next write if the driver did not look first. Before each
 * write it re-reads the config and compares it with what it holds:
 *
 * - an edit of a key the ramp does not own is kept: the phase is computed from the edited
 *   config, and the next update deploys it;
 * - an edit of a key the ramp owns (the ramp pointer, a ramped app's release or weight, its
 *   `CanaryEnabled` flag) conflicts with the ramp: the driver stops and rolls back.
 */
import { configPath, type StackConfig } from "../../../infra/config";

/** The edits found between the config the driver holds and the stack file's. */
export interface ConfigEdits {
  /** Edited keys the ramp does not own (full paths, `glidepath:flags.wix.Banner`): kept. */
  kept: string[];
  /** Edited keys the ramp owns: the ramp stops and rolls back. */
  conflicts: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The leaf paths where two config values differ (keys present on one side only included).
 * Arrays are compared whole.
 *
 * @param a - one value
 * @param b - the other
 * @param at - the path of both @default - the root
 */
export function changedPaths(a: unknown, b: unknown, at: readonly string[] = []): string[][] {
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], [...at, k]));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [[...at]];
}

/**
 * Whether a config path belongs to the ramp of `apps`: the ramp pointer, and each ramped
 * app's release, weight and `CanaryEnabled` flag. A path that contains one of these (an
 * edit that replaced a whole `releases` map) belongs too.
 *
 * @param path - the path, without the namespace
 * @param apps - the ramped apps
 */
export function rampOwns(path: readonly string[], apps: readonly string[]): boolean {
  const [head, app, key] = path;
  if (head === "ramp" || head === "generation") return true;
  if (head === "releases" || head === "weights") return app === undefined || apps.includes(app);
  if (head === "flags") {
    if (app === undefined) return true;
    return apps.includes(app) && (key === undefined || key === "CanaryEnabled");
  }
  return false;
}

/**
 * The edits between the config the driver holds and the config now in the stack file.
 *
 * @param held - the config the driver started from or last wrote
 * @param now - the stack file's config, re-read before a write
 * @param apps - the ramped apps
 */
export function configEdits(held: StackConfig, now: StackConfig, apps: readonly string[]): ConfigEdits {
  const edits: ConfigEdits = { kept: [], conflicts: [] };
  for (const path of changedPaths(held, now)) {
    (rampOwns(path, apps) ? edits.conflicts : edits.kept).push(configPath(path));
  }
  return edits;
}

/**
 * The reason a ramp stops on conflicting edits (names only, never values).
 *
 * @param conflicts - the edited keys the ramp owns
 */
export function conflictReason(conflicts: readonly string[]): string {
  return (
    `the stack file was edited during the ramp: ${conflicts.join(", ")} ` +
    "(keys the ramp owns); the ramp stopped and rolls back, which discards the edit — " +
    "re-apply it after the rollback, or start a new ramp"
  );
}
