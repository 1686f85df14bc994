/**
 * What the audit log says about golden tags, pure over its entries: which tags a stack earned
 * (a `golden` entry with action `create`), which were revoked (action `quarantine`), whether the
 * current build has earned one (a verify-live PASS for it after its last deploy or rollback),
 * and which tag `last-good` means. The log is the only source: a git tag or a stack tag without
 * its audit entry is not golden.
 */
import type { AuditEntry } from "../audit/entry";
import { readAuditBytes } from "../audit/log-file";
import { parseLine, splitLines, verifyLog } from "../audit/verify";
import { GlidepathError } from "../errors";

/** A golden tag of a stack, as the log tells it. */
export interface GoldenTag {
  tag: string;
  /** The seq of its `create` entry (newer tags have higher seqs). */
  seq: number;
  time: string;
  buildId: string;
  archiveDigest: string;
  updateVersion?: number;
  quarantined: boolean;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * The golden tags of a stack, oldest first.
 *
 * @param entries - the log's entries
 * @param stack - the stack
 */
export function goldenTags(entries: readonly AuditEntry[], stack: string): GoldenTag[] {
  const tags = new Map<string, GoldenTag>();
  for (const e of entries) {
    if (e.kind !== "golden" || e.data.stack !== stack) continue;
    const tag = str(e.data.tag);
    if (e.data.action === "create" && !tags.has(tag))
      tags.set(tag, {
        tag,
        seq: e.seq,
        time: e.time,
        buildId: str(e.data.buildId),
        archiveDigest: str(e.data.archiveDigest),
        ...(typeof e.data.updateVersion === "number" ? { updateVersion: e.data.updateVersion } : {}),
        quarantined: false,
      });
    else if (e.data.action === "quarantine") {
      const t = tags.get(tag);
      if (t !== undefined) t.quarantined = true;
    }
  }
  return [...tags.values()];
}

/**
 * `last-good`: the newest golden tag that is not quarantined.
 *
 * @param tags - from {@link goldenTags}
 */
export function lastGood(tags: readonly GoldenTag[]): GoldenTag | undefined {
  return [...tags].reverse().find((t) => !t.quarantined);
}

/**
 * Whether the current build earned a golden tag: the stack's newest `deploy`, `rollback` or
 * `verify-live` entry is a verify-live PASS for this build (and, when the entry names it, for
 * the stack's newest update), and the last deploy entry of the build did not fail.
 *
 * @param entries - the log's entries
 * @param stack - the stack
 * @param build - the current build id
 * @param updateVersion - the stack's newest successful update @default - not compared
 * @returns undefined when it did, else why not
 */
export function whyNotEarned(
  entries: readonly AuditEntry[],
  stack: string,
  build: string,
  updateVersion?: number,
): string | undefined {
  const mine = entries.filter(
    (e) =>
      e.data.stack === stack && (e.kind === "deploy" || e.kind === "rollback" || e.kind === "verify-live"),
  );
  const last = mine.at(-1);
  if (last === undefined) return "the audit log has no verify-live entry for the stack";
  if (last.kind !== "verify-live")
    return `the newest entry after the last deploy is a ${last.kind} (seq ${last.seq}), not a verify-live PASS`;
  if (last.data.result !== "PASS")
    return `the newest verify-live (seq ${last.seq}) is a ${str(last.data.result)}`;
  if (last.data.buildId !== build)
    return `the newest verify-live PASS (seq ${last.seq}) is for build ${str(last.data.buildId)}, the stack deploys build ${build}`;
  if (
    updateVersion !== undefined &&
    typeof last.data.updateVersion === "number" &&
    last.data.updateVersion !== updateVersion
  )
    return `the newest verify-live PASS (seq ${last.seq}) verified update ${last.data.updateVersion}, the stack is on update ${updateVersion}`;
  const deploy = [...mine].reverse().find((e) => e.kind === "deploy" && e.data.buildId === build);
  if (deploy !== undefined && deploy.data.result !== "succeeded")
    return `the deploy of build ${build} (seq ${deploy.seq}) is ${str(deploy.data.result)}`;
  return undefined;
}

/**
 * The entries of a log's bytes when its chain verifies (pure), else its first finding as one
 * line. Checkpoint signers are not judged here.
 *
 * @param bytes - the log's bytes
 */
export function trustedEntries(bytes: Buffer): { entries: AuditEntry[] } | { finding: string } {
  const found = verifyLog(bytes).findings.filter(
    (f) => f.kind !== "unlisted-signer" && f.kind !== "signer-expired",
  );
  const first = found[0];
  if (first !== undefined) return { finding: `line ${first.line}: ${first.kind}: ${first.message}` };
  return {
    entries: splitLines(bytes).lines.flatMap((l) => {
      const p = parseLine(l);
      return "entry" in p ? [p.entry] : [];
    }),
  };
}

/**
 * The entries of a log, refusing a log whose chain does not verify (fail closed: golden
 * decisions are never taken on an altered log). Checkpoint signers are not judged here.
 *
 * @param file - the log
 * @throws GlidepathError `GP_AUDIT_INVALID` naming the first finding
 */
export async function readAuditEntries(file: string): Promise<AuditEntry[]> {
  const { bytes } = await readAuditBytes(file);
  const read = trustedEntries(bytes);
  if ("finding" in read)
    throw new GlidepathError(
      "GP_AUDIT_INVALID",
      `the audit log ${file} does not verify (${read.finding}); golden tags are not read from it`,
      "run `glidepath audit verify` and restore the log",
    );
  return read.entries;
}
