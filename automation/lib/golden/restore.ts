/**
 * `glidepath rollback --to <golden tag>|last-good`: restore the config the tag recorded (its
 * update's config snapshot; today's secrets are kept unless `--restore-secrets`) and its bundles
 * (extracted from the archive where the sources changed since), through the one rollback of
 * glidepath (a real `pulumi up --refresh` under the driver lock, then the target check), verify
 * live, and record a `rollback` and a `verify-live` entry. Refuses, before anything changes, a
 * tag that is unknown, quarantined, corrupt, or whose config is incompatible with today's. On
 * production it needs no new approval, only a tag whose bundles an approved deploy shipped
 * (`judgeGoldenRestore`); the update carries the tag in `GLIDEPATH_GOLDEN_RESTORE`, so the
 * program and the policy pack admit exactly that restore.
 */
import * as path from "node:path";
import { GOLDEN_RESTORE_ENV, judgeGoldenRestore } from "../approval/golden-restore";
import { isProductionStack } from "../approval/inputs";
import { auditFile } from "../audit/log-file";
import type { StackContext } from "../context";
import { manualRollback } from "../driver/manual-rollback";
import { GlidepathError } from "../errors";
import { configDigest, type HistoryConfigValue, type HistoryEntry } from "../history";
import type { RollbackResult } from "../rollback";
import { checkLive, type LiveCheck, stackEdgeUrl, type VerifyLiveOptions } from "../verify-live/run";
import { readArchive } from "./archive";
import { restoreBundles } from "./bundle-files";
import { incompatibleFields } from "./compat";
import { unknownTag } from "./create";
import { readGolden } from "./record-file";
import { type GoldenTag, goldenTags, lastGood, readAuditEntries } from "./records";
import { LAST_GOOD } from "./tag-name";

/** Options of {@link rollbackToGolden}. */
export interface GoldenRollbackOptions {
  /** Restore the secrets the tag's update ran with. @default false */
  restoreSecrets?: boolean;
  /** Live verification after the rollback. @default - verify-live's defaults */
  verify?: Omit<VerifyLiveOptions, "rollBack" | "onOutput">;
  /** Progress and engine output. @default - discarded */
  onOutput?: (line: string) => void;
}

/** What a rollback to a golden tag did. */
export interface GoldenRollback extends RollbackResult {
  tag: string;
  /** Bundles extracted from the archive because their sources changed since the tag. */
  extracted: string[];
  verification: LiveCheck;
}

/**
 * Which golden tag `--to` names.
 *
 * @param tags - the stack's golden tags
 * @param stack - the stack
 * @param to - a tag or `last-good`
 * @throws GlidepathError `GP_GOLDEN_UNKNOWN`, `GP_GOLDEN_QUARANTINED` (exit 2)
 */
export function resolveGolden(tags: readonly GoldenTag[], stack: string, to: string): GoldenTag {
  if (to === LAST_GOOD) {
    const t = lastGood(tags);
    if (t !== undefined) return t;
    throw new GlidepathError(
      "GP_GOLDEN_UNKNOWN",
      `stack "${stack}" has no golden tag that is not quarantined (${tags.length} quarantined); nothing was changed`,
      `roll back to an update instead (\`glidepath rollback --stack ${stack} --to <N>\`), or earn a tag with \`glidepath golden create\``,
    );
  }
  const t = tags.find((x) => x.tag === to);
  if (t === undefined) throw unknownTag(stack, to);
  if (t.quarantined)
    throw new GlidepathError(
      "GP_GOLDEN_QUARANTINED",
      `golden tag ${to} of stack "${stack}" is quarantined; nothing was changed`,
      `roll back to \`--to last-good\` (${lastGood(tags)?.tag ?? "none left"}) or another tag`,
    );
  return t;
}

/**
 * Rolls the stack back to a golden tag and verifies it live.
 *
 * @param ctx - the opened stack
 * @param to - a golden tag or `last-good`
 * @param opts - secrets, verification, output
 * @throws GlidepathError exit 2 refusals (nothing changed); `GP_ROLLBACK_FAILED` / `GP_NOT_CONVERGED` (exit 3)
 */
export async function rollbackToGolden(
  ctx: StackContext,
  to: string,
  opts: GoldenRollbackOptions = {},
): Promise<GoldenRollback> {
  const stack = ctx.stack.name;
  const entries = await readAuditEntries(auditFile(ctx.projectDir, stack));
  const golden = resolveGolden(goldenTags(entries, stack), stack, to);
  const { record, archive } = await readGolden(ctx.projectDir, stack, golden.tag, golden.archiveDigest);
  if (isProductionStack(ctx.projectDir, stack)) {
    // No new approval: the tag's bundles were approved, deployed and verified before it was
    // made golden. The program and the policy pack judge the same (GLIDEPATH_GOLDEN_RESTORE).
    const j = judgeGoldenRestore({
      stack,
      tag: golden.tag,
      log: { entries },
      recordBundles: record.bundles,
      bundles: record.bundles,
    });
    if (!j.ok) throw new GlidepathError(j.code, j.message, j.fix);
  }
  const now = (await ctx.stack.getAllConfig()) as Record<string, HistoryConfigValue>;
  const incompatible = incompatibleFields(record.config, now);
  if (incompatible.length > 0)
    throw new GlidepathError(
      "GP_GOLDEN_INCOMPATIBLE",
      `golden tag ${golden.tag} of stack "${stack}" cannot be restored on today's config; nothing was changed:\n${incompatible.map((f) => `  ${f}`).join("\n")}`,
      "roll back to a newer golden tag, or to an update (`glidepath rollback --to <N>`); a config change of this kind is a new release, not a rollback",
    );
  const edgeUrl = await stackEdgeUrl(ctx, opts.verify?.url);
  let extracted: string[] = [];
  const pick = async (history: readonly HistoryEntry[]): Promise<HistoryEntry> => {
    // The recorded snapshot (secrets masked) restores the plain config; the history entry is
    // needed only for the secrets' values (--restore-secrets), and must hold the same config.
    const entry = history.find((h) => h.version === record.updateVersion && h.kind === "update");
    if (opts.restoreSecrets && (entry === undefined || configDigest(entry.config) !== record.configDigest))
      throw new GlidepathError(
        "GP_HISTORY_NO_MATCH",
        `stack history has no update ${record.updateVersion} with the config golden tag ${golden.tag} recorded, so its secrets cannot be restored; nothing was changed`,
        `roll back without --restore-secrets (today's secrets are kept)`,
      );
    const base = opts.restoreSecrets && entry !== undefined ? entry.config : record.config;
    const restored = await restoreBundles(
      ctx.projectDir,
      base,
      record.bundles,
      readArchive(archive),
      path.posix.join(".glidepath", "golden", stack, golden.tag),
    );
    extracted = restored.extracted;
    return {
      version: record.updateVersion,
      kind: "update",
      result: "succeeded",
      message: entry?.message ?? `golden ${golden.tag}`,
      startTime: entry?.startTime ?? record.time,
      resourceChanges: {},
      config: restored.config,
    };
  };
  const restoring = { ...ctx, envVars: { ...ctx.envVars, [GOLDEN_RESTORE_ENV]: golden.tag } };
  const done = await manualRollback(restoring, golden.tag, {
    restoreSecrets: opts.restoreSecrets,
    onOutput: opts.onOutput,
    pick,
    reason: `to golden tag ${golden.tag}`,
    restoring: golden.tag,
    audit: true,
  });
  const verification = await checkLive(ctx, edgeUrl, { ...opts.verify, onOutput: opts.onOutput }, true);
  if (verification.result === "FAIL")
    throw new GlidepathError(
      "GP_NOT_CONVERGED",
      `stack "${stack}" was rolled back to golden tag ${golden.tag}, but the edge does not serve it: ${verification.message ?? ""}`,
      `check the edge (\`glidepath status --stack ${stack}\`), then \`glidepath verify-live --stack ${stack} --no-rollback\``,
    );
  return { ...done, tag: golden.tag, extracted, verification };
}
