/**
 * Reads everything recorded about one build (the I/O side of {@link joinBuild}): the audit log,
 * verified against the allowed signers and the heads the stack history carries; the stack's
 * gate verdict; the build's evidence manifest, checked against its PNGs; its deploy logs.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { anchorsFromHistory } from "../audit/anchor";
import type { AuditEntry } from "../audit/entry";
import { auditFile, readAuditBytes } from "../audit/log-file";
import { describeFinding, parseLine, splitLines, verifyLog } from "../audit/verify";
import { readDeployLogs } from "../deploy-log/log-file";
import { verifyEvidence } from "../evidence/manifest";
import { evidenceManifestFile, gateVerdictFile, gateVerdictSchema, verdictDigest } from "../gate/verdict";
import type { HistoryEntry } from "../history";
import { ALLOWED_SIGNERS_FILE, loadAllowedSigners } from "../signing/keys";
import { type BuildRecord, type BuildSources, joinBuild } from "./build-join";

/** Options of {@link readBuildRecord}. */
export interface ReadBuildOptions {
  /** The project directory. */
  projectDir: string;
  /** The stack. */
  stack: string;
  /** The build id. */
  buildId: string;
  /** The stack's whole history, newest first. */
  history: readonly HistoryEntry[];
  /** The backend. @default - as the audit log's */
  backendUrl?: string;
}

async function readVerdict(file: string): Promise<BuildSources["verdict"]> {
  const text = await fs.readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const r = gateVerdictSchema.safeParse(JSON.parse(text));
    return r.success ? { file, digest: verdictDigest(r.data), verdict: r.data } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads and joins one build's record.
 *
 * @param opts - the stack, the build and the history already read
 * @throws GlidepathError `GP_EVIDENCE_INVALID` for a manifest that does not validate
 */
export async function readBuildRecord(opts: ReadBuildOptions): Promise<BuildRecord> {
  const file = auditFile(opts.projectDir, opts.stack, opts.backendUrl);
  const { bytes } = await readAuditBytes(file);
  const { signers } = await loadAllowedSigners(path.join(opts.projectDir, ALLOWED_SIGNERS_FILE));
  const verified = verifyLog(bytes, {
    stack: opts.stack,
    signers,
    anchors: anchorsFromHistory(opts.history),
  });
  const entries: AuditEntry[] = [];
  for (const line of splitLines(bytes).lines) {
    const p = parseLine(line);
    if ("entry" in p) entries.push(p.entry);
  }
  return joinBuild({
    buildId: opts.buildId,
    history: opts.history,
    audit: { file, verified: verified.ok, findings: verified.findings.map(describeFinding), entries },
    verdict: await readVerdict(gateVerdictFile(opts.projectDir, opts.stack, opts.backendUrl)),
    evidence: await verifyEvidence(
      evidenceManifestFile(opts.projectDir, opts.stack, opts.buildId, opts.backendUrl),
      opts.buildId,
    ),
    deployLogs: await readDeployLogs(opts.projectDir, opts.stack, opts.buildId, opts.backendUrl),
  });
}
