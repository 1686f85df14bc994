/**
 * The one rollback of glidepath, for the driver's abort and for `glidepath rollback` alike:
 * restore the plain config of an earlier successful update, run one `up --refresh`, then
 * confirm that the target itself serves it. Importing an old checkpoint is not a rollback: it
 * changes state, not the world.
 *
 * Secrets: today's secrets are kept unless `restoreSecrets` is asked for. Rolling back past a
 * credential rotation must not reinstate the revoked credential; a rollback that really needs
 * the old secret values says so (`glidepath rollback --restore-secrets`). With it, the target
 * update's secrets are decrypted in memory and set one by one through `pulumi config set
 * --secret` on stdin (never on a command line).
 */
import { defaultLocalRoot } from "../../infra/load-config";
import { appendAudit, auditFile } from "./audit/log-file";
import { type CliContext, setSecret, withConfigGuard } from "./config-restore";
import type { StackContext } from "./context";
import { writeStackEntries } from "./driver/stack-file";
import {
  configText,
  configValue,
  GENERATION_KEY,
  generationOf,
  type HistoryConfigValue,
  type HistoryEntry,
} from "./history";
import { rollbackMessage } from "./messages";
import { diffConfigKeys } from "./rollback-plan";
import { validateRawConfig } from "./stack-config";
import { runUp } from "./up";
import { verifyTarget } from "./verify-target";

export type { RollbackTarget } from "./rollback-plan";

/** What a rollback did. */
export interface RollbackResult {
  /** The update whose config was restored. */
  restored: { version: number; message: string };
  /** The message of the rollback update. */
  message: string;
  /** Config keys the rollback changed, added or removed (names only). */
  changedKeys: string[];
  /** Secret keys left as they are today (names only; empty with `restoreSecrets`). */
  keptSecrets: string[];
}

/** Options of {@link rollbackTo}. */
export interface RollbackOptions {
  /**
   * Restore the secrets the target update ran with instead of keeping today's; the target
   * entry must then come from a history read with secrets shown.
   * @default false
   */
  restoreSecrets?: boolean;
  /** Engine output lines. @default - discarded */
  onOutput?: (line: string) => void;
  /** Cancels the rollback's update (Pulumi stops gracefully; the rollback then fails). @default - never */
  signal?: AbortSignal;
  /** Why it rolls back: the `rollback` audit entry's reason. @default "manual rollback" */
  reason?: string;
  /**
   * Record the rollback in the audit log off production too (verify-live and golden restores
   * do); a production stack's rollback is always recorded.
   * @default false
   */
  audit?: boolean;
  /** What the `rollback` audit entry names as restored (a golden tag). @default - the restored update's number */
  restoring?: string;
}

/** The keys a rollback changes and their new values (`undefined` removes a key). */
export interface RollbackChanges {
  /** Plain keys to write, by full key. */
  plain: Record<string, unknown>;
  /** Secret keys to set, by full key (only with `restoreSecrets`). */
  secrets: Record<string, string>;
  /** The config as it will be, `key → text`, for validation. */
  raw: Record<string, string>;
  /** Keys that will be secrets. */
  secretKeys: Set<string>;
  /** Changed keys (names only). */
  changedKeys: string[];
  /** Secret keys kept as they are (names only). */
  keptSecrets: string[];
}

/**
 * Plans the config change of a rollback (pure).
 *
 * @param current - the stack's config now (secrets decrypted)
 * @param target - the config of the update to restore
 * @param restoreSecrets - restore the target's secrets too @default false
 * @throws Error when a secret to restore is structured or masked (read history with secrets shown)
 */
export function planRollbackChanges(
  current: Readonly<Record<string, HistoryConfigValue>>,
  target: Readonly<Record<string, HistoryConfigValue>>,
  restoreSecrets = false,
): RollbackChanges {
  const isSecret = (k: string) => Boolean(current[k]?.secret || target[k]?.secret);
  const changed = diffConfigKeys(current, target).filter((k) => restoreSecrets || !isSecret(k));
  const keptSecrets = restoreSecrets
    ? []
    : [...new Set([...Object.keys(current), ...Object.keys(target)])].filter(isSecret).sort();
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  const raw = Object.fromEntries(Object.entries(current).map(([k, v]) => [k, configText(v)]));
  const secretKeys = new Set(Object.keys(current).filter((k) => current[k]?.secret));
  for (const k of changed) {
    const v = target[k];
    if (v === undefined) {
      plain[k] = undefined;
      delete raw[k];
      secretKeys.delete(k);
    } else if (v.secret) {
      if (v.objectValue !== undefined || v.value === undefined || v.value === "[secret]")
        throw new Error(`secret ${k} cannot be restored from this history entry (structured or masked)`);
      secrets[k] = v.value;
      raw[k] = v.value;
      secretKeys.add(k);
    } else {
      plain[k] = configValue(v);
      raw[k] = configText(v);
      secretKeys.delete(k);
    }
  }
  // A rollback is a new write of the desired state: its generation goes up, never back to the
  // restored update's (a stack file at that generation would then pass as current).
  const generation = Math.max(generationOf(current), generationOf(target)) + 1;
  plain[GENERATION_KEY] = generation;
  raw[GENERATION_KEY] = String(generation);
  return { plain, secrets, raw, secretKeys, changedKeys: changed, keptSecrets };
}

/**
 * Rolls the stack back to an earlier successful update. If the restore or the update fails,
 * the stack's config file is put back as it was.
 *
 * @param ctx - the opened stack
 * @param point - the update to restore (from `pickRestorePoint`)
 * @param opts - secrets policy, output, cancellation
 * @throws GlidepathError `GP_CONFIG_INVALID` (the old config no longer validates; nothing
 *   changed), `GP_UPDATE_FAILED`, `GP_NOT_CONVERGED`
 */
export async function rollbackTo(
  ctx: Pick<StackContext, "stack" | "projectDir" | "pulumiBin" | "envVars">,
  point: HistoryEntry,
  opts: RollbackOptions = {},
): Promise<RollbackResult> {
  const cli: CliContext = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const stack = ctx.stack;
  const current = (await stack.getAllConfig()) as Record<string, HistoryConfigValue>;
  const change = planRollbackChanges(current, point.config, opts.restoreSecrets ?? false);
  // Validate before touching anything: an old config that no longer parses is not restored.
  const config = validateRawConfig(stack.name, change.raw, ctx.projectDir, change.secretKeys);
  const message = rollbackMessage(stack.name, point.version, point.message);
  await withConfigGuard(stack, async () => {
    if (Object.keys(change.plain).length > 0)
      await writeStackEntries(ctx.projectDir, stack.name, change.plain);
    for (const [key, value] of Object.entries(change.secrets)) await setSecret(stack, cli, key, value);
    await runUp(stack, cli, message, { refresh: true, onOutput: opts.onOutput, signal: opts.signal });
  });
  await verifyTarget(stack.name, config, config.localRoot ?? defaultLocalRoot(ctx.projectDir, stack.name));
  if (config.environment === "production" || opts.audit === true) {
    const [latest] = await stack.history(1, 1, false);
    await appendAudit(auditFile(ctx.projectDir, stack.name), {
      kind: "rollback",
      data: {
        stack: stack.name,
        reason: (opts.reason ?? "manual rollback").slice(0, 200),
        to: opts.restoring ?? point.version,
        ...(latest === undefined ? {} : { updateVersion: latest.version }),
      },
    });
  }
  return {
    restored: { version: point.version, message: point.message },
    message,
    changedKeys: change.changedKeys,
    keptSecrets: change.keptSecrets,
  };
}
