/**
 * `glidepath promote --stack S`: make the running canaries the stable releases now (weight 0,
 * `CanaryEnabled=false`), ending any ramp in progress.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { stackContext } from "../lib/context";
import { promote } from "../lib/driver/promote";
import { withDriverLock } from "../lib/driver/session";
import { loadStackConfig } from "../lib/stack-config";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "promote";
export const describe = "make the running canaries the stable releases (ends a ramp by hand)";

export function builder(y: Argv) {
  return withStackOptions(y).option("override-hold", {
    type: "boolean",
    default: false,
    describe: "promote even though the stack is failing (recorded in the events and the update message)",
  });
}

const args = stackArgs.extend({ overrideHold: z.boolean() });

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    changesStack: true,
  });
  const result = await withDriverLock(ctx, "promote", async (logs) =>
    promote(ctx, await loadStackConfig(ctx.stack), logs, { overrideHold: a.overrideHold }),
  );
  emit(a.json, { stack: a.stack, ...result }, () => `promoted: ${result.message}`);
}
