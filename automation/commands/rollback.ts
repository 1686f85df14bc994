/**
 * `glidepath rollback --stack S [--to N]`: restore the config of an earlier successful update
 * and converge the target to it.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { stackContext } from "../lib/context";
import { rollback } from "../lib/rollback";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "rollback";
export const describe = "roll the stack back to an earlier successful update";

export function builder(y: Argv) {
  return withStackOptions(y).option("to", {
    type: "string",
    describe: "update number from `glidepath history` (default: the previous successful update)",
  });
}

const args = stackArgs.extend({
  to: z
    .string()
    .regex(/^[1-9]\d*$/, { error: "expected an update number (a positive integer) from `glidepath history`" })
    .transform(Number)
    .optional(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({ stack: a.stack, projectDir: a.projectDir, progress: progressLine });
  const target = a.to === undefined ? ({ previous: true } as const) : { version: a.to };
  const cli = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const result = await rollback(ctx.stack, cli, target, a.json ? undefined : progressLine);
  emit(
    a.json,
    { stack: a.stack, ...result },
    () =>
      `rolled back to update ${result.restored.version} (${result.restored.message})\n` +
      `changed config keys: ${result.changedKeys.join(", ") || "none"}\ntarget converged: yes`,
  );
}
