/**
 * Re-reading the stack's config before the driver writes a phase, so that an operator's
 * edit made during a bake is kept or stops the ramp, never silently overwritten (see
 * `config-edits.ts` for the rule).
 */
import type { StackConfig } from "../../../infra/config";
import type { StackContext } from "../context";
import { loadStackConfig } from "../stack-config";
import type { SafeEvents } from "./closing-phases";
import { type ConfigEdits, configEdits, conflictReason } from "./config-edits";

/** The config to compute the next phase from, or why the ramp must stop. */
export type Reread = { config: StackConfig; edits: ConfigEdits } | { conflict: string; edits: ConfigEdits };

/**
 * Re-reads the stack's config and compares it with the config the driver holds. Kept edits
 * are recorded (`config_edit_kept`) and reported as a warning; conflicting ones are recorded
 * (`config_edit_conflict`) and returned as the reason to stop.
 *
 * @param ctx - the opened stack
 * @param held - the config the driver started from or last wrote
 * @param apps - the ramped apps
 * @param events - the ramp's event logs
 * @param warn - where the warning about kept edits goes
 * @throws GlidepathError `GP_CONFIG_INVALID` when the edited file no longer validates (the caller fails closed)
 */
export async function rereadConfig(
  ctx: StackContext,
  held: StackConfig,
  apps: readonly string[],
  events: SafeEvents,
  warn: (message: string) => void,
): Promise<Reread> {
  const now = await loadStackConfig(ctx.stack);
  const edits = configEdits(held, now, apps);
  if (edits.conflicts.length > 0) {
    await events.record("config_edit_conflict", ctx.stack.name, edits.conflicts.join(", "));
    return { conflict: conflictReason(edits.conflicts), edits };
  }
  if (edits.kept.length > 0) {
    await events.record("config_edit_kept", ctx.stack.name, edits.kept.join(", "));
    const gate = edits.kept.some((k) => k.startsWith("glidepath:rollout"))
      ? "; the running ramp keeps the gate settings it started with, the next ramp uses the new ones"
      : "";
    warn(`kept config edited during the ramp: ${edits.kept.join(", ")}; the next update deploys it${gate}`);
  }
  return { config: now, edits };
}

/**
 * Before a rollback: warns which edits made during the ramp the rollback discards (it
 * restores the whole plain config of the green update). Best effort: a config that cannot be
 * read is named in the warning and the rollback goes on. It costs one config read.
 *
 * @param ctx - the opened stack
 * @param held - the config the driver last wrote
 * @param apps - the ramped apps
 * @param warn - where the warning goes
 */
export async function warnDiscardedEdits(
  ctx: StackContext,
  held: StackConfig,
  apps: readonly string[],
  warn: (message: string) => void,
): Promise<void> {
  try {
    const edits = configEdits(held, await loadStackConfig(ctx.stack), apps);
    const all = [...edits.conflicts, ...edits.kept];
    if (all.length > 0) {
      warn(
        `the rollback restores the config of the green update and discards edits made during the ramp: ${all.join(", ")}; re-apply them after it`,
      );
    }
  } catch (e) {
    warn(
      `could not compare the stack file with the ramp's config before the rollback (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); edits made during the ramp are discarded by the rollback`,
    );
  }
}
