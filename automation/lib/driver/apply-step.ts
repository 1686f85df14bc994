/**
 * Applying one phase of a ramp: write its config keys into the stack file and run its update,
 * as one step; the config file is put back if either fails.
 */
import type { CliContext } from "../config-restore";
import { withConfigGuard } from "../config-restore";
import type { StackContext } from "../context";
import { runUp } from "../up";
import type { PhaseConfig } from "./ramp-config";
import { writeStackKeys } from "./stack-file";

/**
 * Writes a phase's config and runs its update.
 *
 * @param ctx - the opened stack
 * @param cli - how to run the CLI
 * @param phase - the keys the phase writes
 * @param message - the update message
 * @throws GlidepathError `GP_UPDATE_FAILED`, `GP_CONFIG_INVALID` (an unparsable stack file)
 */
export async function applyPhase(
  ctx: StackContext,
  cli: CliContext,
  phase: PhaseConfig,
  message: string,
): Promise<void> {
  await withConfigGuard(ctx.stack, async () => {
    await writeStackKeys(ctx.projectDir, ctx.stack.name, { ...phase });
    await runUp(ctx.stack, cli, message);
  });
}
