/**
 * `glidepath rollback --stack S [--to UPDATE|TAG|GOLDEN|last-good] [--restore-secrets]`: restore
 * the config of an earlier green update (a number from `glidepath history`, or the newest green
 * update whose releases are all at a version tag; by default the green state before the current
 * one) and converge the target to it. `--to prod-YYYY-MM-DD[.N]` or `--to last-good` restores a
 * golden tag (its config and bundles) and verifies it live. Today's secrets are kept unless
 * `--restore-secrets`.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { VERSION } from "../../infra/config";
import { stackContext } from "../lib/context";
import { manualRollback } from "../lib/driver/manual-rollback";
import { rollbackToGolden } from "../lib/golden/restore";
import { GOLDEN_TAG, LAST_GOOD } from "../lib/golden/tag-name";
import { originalDescription } from "../lib/messages";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "rollback";
export const describe = "roll the stack back to an earlier green update (exit 3 if it cannot)";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("to", {
      type: "string",
      describe:
        "update number from `glidepath history`, a version tag, a golden tag (prod-YYYY-MM-DD[.N]) or last-good (default: the green state before the current one)",
    })
    .option("restore-secrets", {
      type: "boolean",
      default: false,
      describe: "also restore the secrets that update ran with (default: keep today's secrets)",
    });
}

const args = stackArgs.extend({
  to: z
    .string()
    .refine((s) => /^[1-9]\d*$/.test(s) || VERSION.test(s) || GOLDEN_TAG.test(s) || s === LAST_GOOD, {
      error:
        "expected an update number from `glidepath history`, a version tag such as v2, a golden tag such as prod-2026-12-02, or last-good",
    })
    .optional(),
  restoreSecrets: z.boolean(),
});

/** The lines every rollback prints about its config: the keys it changed and the secrets it kept. */
function configLines(r: { changedKeys: string[]; keptSecrets: string[] }): string {
  return (
    `changed config keys: ${r.changedKeys.join(", ") || "none"}\n` +
    (r.keptSecrets.length > 0
      ? `secrets kept as they are today: ${r.keptSecrets.join(", ")} (--restore-secrets restores them)\n`
      : "")
  );
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    changesStack: true,
  });
  const onOutput = a.json ? undefined : progressLine;
  if (a.to !== undefined && (GOLDEN_TAG.test(a.to) || a.to === LAST_GOOD)) {
    const done = await rollbackToGolden(ctx, a.to, { restoreSecrets: a.restoreSecrets, onOutput });
    const v = done.verification;
    emit(
      a.json,
      { stack: a.stack, ...done },
      () =>
        `rolled back to golden tag ${done.tag} (update ${done.restored.version})\n` +
        configLines(done) +
        (done.extracted.length > 0
          ? `bundles restored from the archive: ${done.extracted.join(", ")}\n`
          : "") +
        `verified live: ${v.result} (build ${v.buildId}, ${v.consecutive} consecutive)`,
    );
    return;
  }
  const result = await manualRollback(ctx, a.to, { restoreSecrets: a.restoreSecrets, onOutput });
  emit(
    a.json,
    { stack: a.stack, ...result },
    () =>
      // What the restored update deployed, never a rollback's description of a rollback.
      `rolled back to update ${result.restored.version} (${originalDescription(result.restored.message)})\n` +
      configLines(result) +
      "target converged: yes",
  );
}
