/**
 * `glidepath golden create` and `golden quarantine`: a golden tag is earned by a build that
 * passed verify-live after its last deploy; creating one writes the archive of its bundles and
 * its record beside the audit log, an annotated git tag in the project's repository, a stack
 * tag (`glidepath:golden:<tag>`), and last the `golden` audit entry that makes it golden.
 * Quarantine revokes it (an audit entry; the stack tag says so too; the git tag stays, as
 * history).
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { writeFileAtomic } from "../atomic-write";
import { appendAudit, auditFile } from "../audit/log-file";
import type { StackContext } from "../context";
import { GlidepathError } from "../errors";
import { stackBundles } from "../gate/bundles";
import { buildId } from "../gate/verdict";
import { configDigest, readHistory, successfulUpdates } from "../history";
import { sha256Hex, writeArchive } from "./archive";
import { bundleEntries } from "./bundle-files";
import { GOLDEN_SCHEMA, type GoldenRecord, goldenDir } from "./record-file";
import { goldenTags, readAuditEntries, whyNotEarned } from "./records";
import { nextGoldenTag } from "./tag-name";

const execFileP = promisify(execFile);

/** The stack tag that names a golden tag. */
export function goldenStackTag(tag: string): string {
  return `glidepath:golden:${tag}`;
}

/** Runs git in the project; undefined when it fails. */
async function git(dir: string, args: readonly string[]): Promise<string | undefined> {
  try {
    return (await execFileP("git", ["-C", dir, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
  } catch {
    return undefined;
  }
}

/** What {@link createGolden} made. */
export interface GoldenCreated {
  tag: string;
  buildId: string;
  archive: { file: string; sha256: string; bytes: number };
  record: string;
  updateVersion: number;
  commit: string;
}

/**
 * Creates a golden tag for the stack's current build.
 *
 * @param ctx - the opened stack
 * @param now - the time (names the tag) @default - now
 * @throws GlidepathError `GP_GOLDEN_UNVERIFIED`, `GP_GOLDEN_NO_GIT`, `GP_HISTORY_NO_MATCH` (exit 2, nothing made)
 */
export async function createGolden(ctx: StackContext, now: Date = new Date()): Promise<GoldenCreated> {
  const stack = ctx.stack.name;
  const dir = ctx.projectDir;
  const bundles = await stackBundles(dir, stack);
  const id = buildId(bundles);
  const update = successfulUpdates(await readHistory(ctx.stack))[0];
  if (update === undefined)
    throw new GlidepathError(
      "GP_HISTORY_NO_MATCH",
      `stack "${stack}" has no successful update to tag; nothing was made`,
      `deploy with \`glidepath up --stack ${stack}\`, verify it with \`glidepath verify-live --stack ${stack}\``,
    );
  const log = auditFile(dir, stack);
  const entries = await readAuditEntries(log);
  const why = whyNotEarned(entries, stack, id, update.version);
  if (why !== undefined)
    throw new GlidepathError(
      "GP_GOLDEN_UNVERIFIED",
      `build ${id} of stack "${stack}" has not earned a golden tag: ${why}; nothing was made`,
      `run \`glidepath verify-live --stack ${stack}\` (it must PASS for this build), then \`glidepath golden create --stack ${stack}\``,
    );
  const commit = await git(dir, ["rev-parse", "--verify", "HEAD^{commit}"]);
  if ((await git(dir, ["rev-parse", "--is-inside-work-tree"])) !== "true" || commit === undefined)
    throw new GlidepathError(
      "GP_GOLDEN_NO_GIT",
      `the project ${dir} is not a git work tree with a commit; a golden tag is an annotated git tag; nothing was made`,
      "run glidepath from the project's git checkout (git init; git commit), then `glidepath golden create` again",
    );
  const taken = [
    ...((await git(dir, ["tag", "--list", "prod-*"])) ?? "").split("\n").filter(Boolean),
    ...goldenTags(entries, stack).map((t) => t.tag),
  ];
  const tag = nextGoldenTag(now, taken);
  const archive = writeArchive(await bundleEntries(dir, update.config));
  const sha256 = sha256Hex(archive);
  const gdir = goldenDir(dir, stack);
  const archiveFile = `${tag}.tar`;
  await writeFileAtomic(path.join(gdir, archiveFile), archive, { mode: 0o644 });
  const record: GoldenRecord = {
    schema: GOLDEN_SCHEMA,
    stack,
    tag,
    time: now.toISOString(),
    buildId: id,
    bundles,
    archive: { file: archiveFile, sha256 },
    updateVersion: update.version,
    configDigest: configDigest(update.config),
    config: update.config,
    commit,
  };
  const recordFile = path.join(gdir, `${tag}.json`);
  await writeFileAtomic(recordFile, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
  const message = `glidepath golden ${tag}\n\nstack ${stack}\nbuild ${id}\narchive sha256:${sha256}\nupdate ${update.version}\n`;
  if ((await git(dir, ["tag", "-a", tag, "-m", message])) === undefined)
    throw new GlidepathError(
      "GP_GOLDEN_NO_GIT",
      `git could not create the annotated tag ${tag} in ${dir}; the stack has no new golden tag`,
      "check `git tag -a` works here (user.name and user.email set), then run `glidepath golden create` again",
    );
  await ctx.stack.setTag(
    goldenStackTag(tag),
    `build=${id} archive=${sha256.slice(0, 16)} update=${update.version}`,
  );
  await appendAudit(log, {
    kind: "golden",
    data: { stack, tag, action: "create", archiveDigest: sha256, buildId: id, updateVersion: update.version },
  });
  return {
    tag,
    buildId: id,
    archive: { file: path.join(gdir, archiveFile), sha256, bytes: archive.length },
    record: recordFile,
    updateVersion: update.version,
    commit,
  };
}

/**
 * Revokes a golden tag: it is no longer rolled back to, and never `last-good`.
 *
 * @param ctx - the opened stack
 * @param tag - the tag
 * @param reason - why (recorded) @default "" (none given)
 * @throws GlidepathError `GP_GOLDEN_UNKNOWN`, `GP_GOLDEN_QUARANTINED` (exit 2, nothing changed)
 */
export async function quarantineGolden(
  ctx: StackContext,
  tag: string,
  reason = "",
): Promise<{ tag: string; buildId: string }> {
  const stack = ctx.stack.name;
  const log = auditFile(ctx.projectDir, stack);
  const found = goldenTags(await readAuditEntries(log), stack).find((t) => t.tag === tag);
  if (found === undefined) throw unknownTag(stack, tag);
  if (found.quarantined)
    throw new GlidepathError(
      "GP_GOLDEN_QUARANTINED",
      `golden tag ${tag} of stack "${stack}" is already quarantined; nothing was changed`,
      `\`glidepath golden list --stack ${stack}\` shows the tags and their state`,
    );
  await appendAudit(log, {
    kind: "golden",
    data: {
      stack,
      tag,
      action: "quarantine",
      buildId: found.buildId,
      ...(found.updateVersion === undefined ? {} : { updateVersion: found.updateVersion }),
      ...(reason === "" ? {} : { reason }),
    },
  });
  await ctx.stack.setTag(goldenStackTag(tag), `quarantined build=${found.buildId}`).catch(() => undefined);
  return { tag, buildId: found.buildId };
}

/**
 * The error for a tag the stack never earned.
 *
 * @param stack - the stack
 * @param tag - the tag asked for
 */
export function unknownTag(stack: string, tag: string): GlidepathError {
  return new GlidepathError(
    "GP_GOLDEN_UNKNOWN",
    `stack "${stack}" has no golden tag ${JSON.stringify(tag)} in its audit log; nothing was changed`,
    `\`glidepath golden list --stack ${stack}\` shows the tags the stack earned`,
  );
}
