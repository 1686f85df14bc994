/**
 * `glidepath golden create|quarantine|list --stack S`: golden tags of a stack. `create` tags the
 * current build after it passed verify-live (`prod-YYYY-MM-DD[.N]`: an annotated git tag, a stack
 * tag, a reproducible archive of its bundles and a record beside the audit log, and a `golden`
 * audit entry); `quarantine <tag>` revokes one; `list` shows them. Meant for production stacks;
 * any stack is accepted. `glidepath rollback --to <tag>|last-good` restores one.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { auditFile } from "../lib/audit/log-file";
import { stackContext } from "../lib/context";
import { GlidepathError } from "../lib/errors";
import { createGolden, quarantineGolden } from "../lib/golden/create";
import { goldenTags, lastGood, readAuditEntries } from "../lib/golden/records";
import { GOLDEN_TAG } from "../lib/golden/tag-name";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "golden <action> [tag]";
export const describe = "golden tags: create one for a verified build, quarantine one, list them";

export function builder(y: Argv) {
  return withStackOptions(y)
    .positional("action", { type: "string", choices: ["create", "quarantine", "list"] })
    .positional("tag", { type: "string", describe: "quarantine: the tag, e.g. prod-2026-12-02" })
    .option("reason", { type: "string", describe: "quarantine: why (recorded in the audit log)" });
}

const args = stackArgs.extend({
  action: z.enum(["create", "quarantine", "list"]),
  tag: z
    .string()
    .regex(GOLDEN_TAG, { error: "expected a golden tag such as prod-2026-12-02 or prod-2026-12-02.2" })
    .optional(),
  reason: z.string().max(500).optional(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  if (a.action === "quarantine" && a.tag === undefined)
    throw new GlidepathError(
      "GP_ARG_INVALID",
      "golden quarantine needs the tag",
      "`glidepath golden quarantine prod-2026-12-02 --stack S`",
    );
  const ctx = await stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    provision: a.action !== "list",
    adoptDeployed: a.action !== "list",
  });
  if (a.action === "create") {
    const made = await createGolden(ctx);
    emit(a.json, { stack: a.stack, ...made }, () =>
      [
        `golden tag ${made.tag}: build ${made.buildId}, update ${made.updateVersion}, commit ${made.commit.slice(0, 12)}`,
        `archive ${made.archive.file} (sha256 ${made.archive.sha256}, ${made.archive.bytes} bytes)`,
        `record ${made.record}`,
      ].join("\n"),
    );
  } else if (a.action === "quarantine") {
    const done = await quarantineGolden(ctx, a.tag as string, a.reason);
    emit(
      a.json,
      { stack: a.stack, ...done, quarantined: true },
      () => `quarantined golden tag ${done.tag} (build ${done.buildId})`,
    );
  } else {
    const tags = goldenTags(await readAuditEntries(auditFile(ctx.projectDir, a.stack)), a.stack);
    const good = lastGood(tags)?.tag ?? null;
    emit(a.json, { stack: a.stack, lastGood: good, tags }, () =>
      tags.length === 0
        ? `stack ${a.stack} has no golden tags`
        : tags
            .map(
              (t) =>
                `${t.tag}  build ${t.buildId}  update ${t.updateVersion ?? "?"}  ${t.quarantined ? "quarantined" : t.tag === good ? "last-good" : "golden"}`,
            )
            .join("\n"),
    );
  }
}
