/**
 * `glidepath rollback --stack S [--to UPDATE|TAG]`: restore the config of an earlier
 * successful update (a number from `glidepath history`, or the newest green update whose
 * releases are all at a version tag) and converge the target to it.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { VERSION } from "../../infra/config";
import { stackContext } from "../lib/context";
import { clearClosing } from "../lib/driver/closing";
import { withDriverLock } from "../lib/driver/session";
import { rollback } from "../lib/rollback";
import type { RollbackTarget } from "../lib/rollback-plan";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "rollback";
export const describe = "roll the stack back to an earlier successful update";

export function builder(y: Argv) {
  return withStackOptions(y).option("to", {
    type: "string",
    describe:
      "update number from `glidepath history`, or a version tag (default: the previous successful update)",
  });
}

const args = stackArgs.extend({
  to: z
    .string()
    .refine((s) => /^[1-9]\d*$/.test(s) || VERSION.test(s), {
      error: "expected an update number from `glidepath history` or a version tag such as v2",
    })
    .optional(),
});

/**
 * `--to` as a rollback target. Without it: the previous green update, or, while a ramp is in
 * progress, the last green state outside it (the previous update would be an earlier step).
 *
 * @param to - the flag
 * @param inRamp - whether the stack's config holds a ramp pointer @default false
 */
export function rollbackTarget(to: string | undefined, inRamp = false): RollbackTarget {
  if (to === undefined) return inRamp ? { green: true } : { previous: true };
  return /^[1-9]\d*$/.test(to) ? { version: Number(to) } : { tag: to };
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({ stack: a.stack, projectDir: a.projectDir, progress: progressLine });
  const cli = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const result = await withDriverLock(ctx, `rollback ${a.to ?? "previous"}`, async (logs) => {
    const inRamp = "glidepath:ramp" in (await ctx.stack.getAllConfig());
    const done = await rollback(
      ctx.stack,
      cli,
      rollbackTarget(a.to, inRamp),
      a.json ? undefined : progressLine,
    );
    await clearClosing(ctx.stack);
    const ts = new Date().toISOString();
    await logs.swarm.send({
      id: `rollback@${ts}`,
      ts,
      stack: a.stack,
      phase: "rollback:triggered",
      weight: 0,
      reason: `by hand, to update ${done.restored.version}`,
      update: done.message,
    });
    await logs.runtime.record(
      "rollback_completed",
      a.stack,
      `by hand, restored update ${done.restored.version}`,
    );
    return done;
  });
  emit(
    a.json,
    { stack: a.stack, ...result },
    () =>
      `rolled back to update ${result.restored.version} (${result.restored.message})\n` +
      `changed config keys: ${result.changedKeys.join(", ") || "none"}\ntarget converged: yes`,
  );
}
