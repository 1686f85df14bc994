/**
 * `glidepath rollback` by hand: the same rollback as the driver's (`rollbackTo`), to an update
 * the operator names, under the driver lock; the closing mark of an unfinished ramp is cleared
 * once the stack is back on green, and the rollback is recorded in both event logs.
 */
import type { StackContext } from "../context";
import { GlidepathError, isGlidepathError } from "../errors";
import { type HistoryEntry, readHistory } from "../history";
import { type RollbackResult, rollbackTo } from "../rollback";
import { pickRestorePoint, type RollbackTarget } from "../rollback-plan";
import { clearClosing } from "./closing";
import { withDriverLock } from "./session";

/**
 * `--to` as a rollback target: an update number, a version tag, or (without it) the green
 * state before the current one.
 *
 * @param to - the flag
 */
export function rollbackTarget(to: string | undefined): RollbackTarget {
  if (to === undefined) return { previous: true };
  return /^[1-9]\d*$/.test(to) ? { version: Number(to) } : { tag: to };
}

/** Options of {@link manualRollback}. */
export interface ManualRollbackOptions {
  /** Restore the target update's secrets too. @default false */
  restoreSecrets?: boolean;
  /** Engine output lines. @default - discarded */
  onOutput?: (line: string) => void;
  /**
   * Picks the update to restore from the history (newest first), instead of `to` (a golden
   * tag's recorded update).
   * @default - `pickRestorePoint` of `to`
   */
  pick?: (history: readonly HistoryEntry[]) => HistoryEntry | Promise<HistoryEntry>;
  /** Why, for the `rollback` audit entry (see the rollback's own option). @default - as the rollback's */
  reason?: string;
  /** What the `rollback` audit entry names as restored. @default - as the rollback's */
  restoring?: string;
  /** Record it in the audit log off production too. @default false */
  audit?: boolean;
}

/**
 * Rolls the stack back by hand.
 *
 * @param ctx - the opened stack
 * @param to - `--to` @default - the green state before the current one
 * @param opts - secrets policy and output
 * @throws GlidepathError `GP_HISTORY_NO_MATCH`/`GP_CONFIG_INVALID` (exit 2, nothing changed),
 *   `GP_ROLLBACK_FAILED` (exit 3: the stack may not be on a green state)
 */
export async function manualRollback(
  ctx: StackContext,
  to: string | undefined,
  opts: ManualRollbackOptions = {},
): Promise<RollbackResult> {
  const stack = ctx.stack.name;
  return withDriverLock(ctx, `rollback ${to ?? "previous"}`, async (logs) => {
    const history = await readHistory(ctx.stack, opts.restoreSecrets ?? false);
    const point = opts.pick ? await opts.pick(history) : pickRestorePoint(history, rollbackTarget(to));
    let done: RollbackResult;
    try {
      done = await rollbackTo(ctx, point, opts);
    } catch (e) {
      if (isGlidepathError(e) && e.exitCode === 2) throw e;
      await logs.runtime.record(
        "case_processing_failed",
        "rollback",
        (e instanceof Error ? e.message : String(e)).split("\n")[0],
      );
      throw new GlidepathError(
        "GP_ROLLBACK_FAILED",
        `rolling stack "${stack}" back to update ${point.version} failed; it may not be on a green state:\n${e instanceof Error ? e.message : String(e)}`,
        `fix the cause, then run \`glidepath rollback --stack ${stack} --to ${to ?? point.version}\` again`,
      );
    }
    await clearClosing(ctx.stack);
    const ts = new Date().toISOString();
    await logs.swarm.send({
      id: `rollback@${ts}`,
      ts,
      stack,
      phase: "rollback:triggered",
      weight: 0,
      reason: `by hand, to update ${done.restored.version}`,
      update: done.message,
    });
    await logs.runtime.record(
      "rollback_completed",
      stack,
      `by hand, restored update ${done.restored.version}`,
    );
    return done;
  });
}
