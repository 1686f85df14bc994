/**
 * What the driver observes before its first decision: for a new ramp, the green state it
 * starts from (recorded in the ramp pointer as its restore point); for a resumed one, whether
 * the step the pointer names was applied. Only updates count: a `pulumi refresh` run after a
 * killed driver succeeds with the same pointer, but deployed nothing.
 */
import type { RampState } from "../../../infra/config";
import { GlidepathError } from "../errors";
import { configDigest, configValue, type HistoryEntry } from "../history";
import { pickRestorePoint } from "../rollback-plan";

/** Where a ramp goes back to: an update number and the digest of its plain config. */
export interface RestorePoint {
  update: number;
  digest: string;
}

/**
 * The restore point of a new ramp: the newest successful update outside a ramp.
 *
 * @param stack - the stack name (for the message)
 * @param history - the whole history, newest first
 * @throws GlidepathError `GP_NO_GREEN_STATE` (exit 2) when there is none: nothing was deployed
 */
export function restorePointOf(stack: string, history: readonly HistoryEntry[]): RestorePoint {
  try {
    const green = pickRestorePoint(history, { green: true });
    return { update: green.version, digest: configDigest(green.config) };
  } catch {
    throw new GlidepathError(
      "GP_NO_GREEN_STATE",
      `stack "${stack}" has no successful update outside a ramp to roll back to; nothing was deployed`,
      `deploy the stable releases first with \`glidepath up --stack ${stack}\`, then start the ramp`,
    );
  }
}

/** The step index of a history entry's ramp pointer, or undefined. */
export function rampStepOf(entry: HistoryEntry | undefined): number | undefined {
  const ramp = configValue(entry?.config["glidepath:ramp"]) as { step?: unknown } | undefined;
  return typeof ramp === "object" && ramp !== null && typeof ramp.step === "number" ? ramp.step : undefined;
}

/**
 * Whether a resumed ramp's current step was applied: the newest *update* succeeded with this
 * very ramp pointer.
 *
 * @param history - the whole history, newest first
 * @param ramp - the persisted ramp pointer
 */
export function stepApplied(history: readonly HistoryEntry[], ramp: RampState): boolean {
  const newest = history.find((h) => h.kind === "update");
  return newest?.result === "succeeded" && rampStepOf(newest) === ramp.step;
}
