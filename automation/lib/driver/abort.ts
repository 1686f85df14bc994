/**
 * Rolling an aborted ramp back to the last green state (the newest successful update outside
 * a ramp), as fast as it can be done safely. A ramp only ever changes plain glidepath keys
 * (releases, weights, flags, the ramp pointer), so the green update's values for the keys
 * that differ are written into the stack file and one `pulumi up --refresh` runs; the target
 * is then confirmed converged. If a secret or a key outside glidepath differs, the general
 * rollback (secrets restored through stdin) is used instead.
 */
import type { CliContext } from "../config-restore";
import { withConfigGuard } from "../config-restore";
import type { StackContext } from "../context";
import { configText, type HistoryConfigValue, readHistory } from "../history";
import { rollbackMessage } from "../messages";
import { rollback, verifyConverged } from "../rollback";
import { diffConfigKeys, pickRestorePoint } from "../rollback-plan";
import { rawConfig, validateRawConfig } from "../stack-config";
import { writeStackKeys } from "./stack-file";
import { upStep } from "./up-cli";

/** What the rollback restored. */
export interface RampRollback {
  restored: { version: number; message: string };
  message: string;
}

/** A history config value as the value to write (structured values stay structured). */
function plainValue(v: HistoryConfigValue): unknown {
  return v.objectValue ?? v.value;
}

/**
 * Rolls the stack back to the last green state outside a ramp.
 *
 * @param ctx - the opened stack
 * @param cli - how to run the CLI
 * @throws GlidepathError `GP_HISTORY_NO_MATCH`, `GP_CONFIG_INVALID`, `GP_UPDATE_FAILED`, `GP_NOT_CONVERGED`
 */
export async function rollBackRamp(ctx: StackContext, cli: CliContext): Promise<RampRollback> {
  const green = pickRestorePoint(await readHistory(ctx.stack), { green: true });
  const current = (await ctx.stack.getAllConfig()) as Record<string, HistoryConfigValue>;
  // History masks secret values: a key secret on both sides counts as unchanged (a ramp never
  // changes secrets, and a secret rotated since the green update must stay rotated).
  const changed = diffConfigKeys(current, green.config).filter(
    (k) => !(current[k]?.secret && green.config[k]?.secret),
  );
  const plainOnly = changed.every(
    (k) => k.startsWith("glidepath:") && !current[k]?.secret && !green.config[k]?.secret,
  );
  if (!plainOnly) return rollback(ctx.stack, cli, { version: green.version });
  const values = Object.fromEntries(
    changed.map((k) => {
      const v = green.config[k];
      return [k.slice("glidepath:".length), v === undefined ? undefined : plainValue(v)];
    }),
  );
  // The green config must still be valid today; secrets are today's (the ramp never changes them).
  const raw = rawConfig(current as Parameters<typeof rawConfig>[0]);
  for (const k of changed) {
    const v = green.config[k];
    if (v === undefined) delete raw[k];
    else raw[k] = configText(v);
  }
  const secretKeys = new Set(Object.entries(current).flatMap(([k, v]) => (v.secret ? [k] : [])));
  validateRawConfig(ctx.stack.name, raw, ctx.projectDir, secretKeys);
  const message = rollbackMessage(ctx.stack.name, green.version, green.message);
  await withConfigGuard(ctx.stack, async () => {
    await writeStackKeys(ctx.projectDir, ctx.stack.name, values);
    await upStep(ctx.stack, cli, message, { refresh: true });
  });
  await verifyConverged(ctx.stack);
  return { restored: { version: green.version, message: green.message }, message };
}
