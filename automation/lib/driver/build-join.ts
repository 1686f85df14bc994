/**
 * One build's record, joined end to end by its id (pure): the stack-history updates that name
 * it (in their message, or as the `updateVersion` of one of its audit entries), its audit
 * entries, the gate verdict when the verdict's bundles are that build's, its evidence manifest
 * and its deploy logs, each deploy log matched with the `deployLogDigest` the audit recorded.
 * `glidepath history --build` prints it.
 */
import type { AuditEntry } from "../audit/entry";
import { buildId as buildIdOf, type EvidenceManifest, type GateVerdict } from "../gate/verdict";
import type { HistoryEntry } from "../history";
import { redactUrls } from "../redact";

/** The audit log as read for the record. */
export interface AuditPart {
  /** The log's file. */
  file: string;
  /** Whether the whole log verifies. */
  verified: boolean;
  /** Its findings, one line each (`line 17: hash-mismatch: …`). */
  findings: string[];
  /** Every entry of the log, in order. */
  entries: readonly AuditEntry[];
}

/** The inputs of {@link joinBuild}. */
export interface BuildSources {
  buildId: string;
  /** The stack history, newest first. */
  history: readonly HistoryEntry[];
  audit: AuditPart;
  /** The stack's current verdict, with its digest. @default - none */
  verdict?: { file: string; digest: string; verdict: GateVerdict };
  /** The build's evidence, checked against its files. @default - none */
  evidence?: { file: string; manifest: EvidenceManifest; problems: { detail: string }[] };
  /** The build's deploy logs as on disk. */
  deployLogs: readonly { file: string; digest: string }[];
}

/** One build's record. */
export interface BuildRecord {
  buildId: string;
  /** The updates of the stack history that refer to the build, newest first (without their config). */
  updates: Omit<HistoryEntry, "config">[];
  audit: { file: string; verified: boolean; findings: string[]; entries: AuditEntry[] };
  /** The gate verdict for these bundles, when the stack's current verdict is for this build. */
  verdict?: { file: string; digest: string; result: string; time: string; checks: GateVerdict["checks"] };
  /** The evidence manifest and the shots that do not match their files. */
  evidence?: { file: string; manifest: EvidenceManifest; problems: string[] };
  /** Each deploy log with whether a `deploy` audit entry of the build records its digest. */
  deployLogs: { file: string; digest: string; recorded: boolean }[];
  /** `deployLogDigest`s the audit recorded that no deploy log on disk has: a log altered or removed. */
  missingDeployLogs: { seq: number; digest: string }[];
}

/**
 * Joins the sources of one build.
 *
 * @param s - the build id and everything read about it
 */
export function joinBuild(s: BuildSources): BuildRecord {
  const id = s.buildId;
  const entries = s.audit.entries.filter((e) => e.data.buildId === id);
  const versions = new Set(
    entries.map((e) => e.data.updateVersion).filter((v): v is number => typeof v === "number"),
  );
  const word = new RegExp(`(^|[^0-9a-f])${id}([^0-9a-f]|$)`);
  const updates = s.history
    .filter((h) => word.test(h.message) || versions.has(h.version))
    .map(({ config: _config, ...rest }) => rest);
  const recorded = entries
    .filter((e) => e.kind === "deploy" && typeof e.data.deployLogDigest === "string")
    .map((e) => ({ seq: e.seq, digest: e.data.deployLogDigest as string }));
  const onDisk = new Set(s.deployLogs.map((l) => l.digest));
  const record: BuildRecord = {
    buildId: id,
    updates,
    audit: { file: s.audit.file, verified: s.audit.verified, findings: s.audit.findings, entries },
    deployLogs: s.deployLogs.map((l) => ({ ...l, recorded: recorded.some((r) => r.digest === l.digest) })),
    missingDeployLogs: recorded.filter((r) => !onDisk.has(r.digest)),
  };
  if (s.verdict !== undefined && buildIdOf(s.verdict.verdict.bundles) === id) {
    const v = s.verdict.verdict;
    record.verdict = {
      file: s.verdict.file,
      digest: s.verdict.digest,
      result: v.result,
      time: v.time,
      checks: v.checks,
    };
  }
  if (s.evidence !== undefined && s.evidence.manifest.buildId === id)
    record.evidence = {
      file: s.evidence.file,
      manifest: s.evidence.manifest,
      problems: s.evidence.problems.map((p) => p.detail),
    };
  return redactUrls(record);
}

/**
 * Whether anything at all refers to the build.
 *
 * @param r - the record
 */
export function buildFound(r: BuildRecord): boolean {
  return (
    r.updates.length > 0 ||
    r.audit.entries.length > 0 ||
    r.verdict !== undefined ||
    r.evidence !== undefined ||
    r.deployLogs.length > 0
  );
}

/**
 * What is wrong with the record: the log does not verify, a shot does not match its file, a
 * deploy log's digest is not what the audit recorded.
 *
 * @param r - the record
 */
export function buildProblems(r: BuildRecord): string[] {
  return [
    ...r.audit.findings.map((f) => `audit: ${f}`),
    ...(r.evidence?.problems ?? []).map((p) => `evidence: ${p}`),
    ...r.missingDeployLogs.map(
      (m) => `deploy log: audit entry ${m.seq} records digest ${m.digest}, no deploy log of the build has it`,
    ),
  ];
}

/**
 * The record for people.
 *
 * @param r - the record
 */
export function renderBuild(r: BuildRecord): string {
  const lines = [`build ${r.buildId}`];
  lines.push(`  updates:${r.updates.length === 0 ? " none" : ""}`);
  for (const u of r.updates)
    lines.push(`    #${u.version} ${u.startTime} ${u.kind} ${u.result}: ${u.message}`);
  lines.push(
    `  audit: ${r.audit.entries.length} entries (${r.audit.verified ? "log verifies" : "LOG DOES NOT VERIFY"}) ${r.audit.file}`,
  );
  for (const e of r.audit.entries)
    lines.push(
      `    ${e.seq} ${e.time} ${e.kind} ${typeof e.data.result === "string" ? e.data.result : ""}`.trimEnd(),
    );
  lines.push(
    r.verdict === undefined
      ? "  gate verdict: none for this build"
      : `  gate verdict: ${r.verdict.result} at ${r.verdict.time} (digest ${r.verdict.digest.slice(0, 16)}…)`,
  );
  if (r.evidence === undefined) lines.push("  evidence: none");
  else {
    const m = r.evidence.manifest;
    lines.push(
      `  evidence: ${m.shots.length} shots at ${m.time}, ${m.fingerprint.browser} ${m.fingerprint.viewport.width}×${m.fingerprint.viewport.height} ${r.evidence.file}`,
    );
    for (const s of m.shots) lines.push(`    ${s.name} ${s.sha256.slice(0, 16)}… ${s.file}`);
  }
  lines.push(`  deploy logs:${r.deployLogs.length === 0 ? " none" : ""}`);
  for (const l of r.deployLogs)
    lines.push(
      `    ${l.file} sha256 ${l.digest.slice(0, 16)}…${l.recorded ? " (in the audit log)" : " (not recorded in the audit log)"}`,
    );
  for (const p of buildProblems(r)) lines.push(`  PROBLEM ${p}`);
  return lines.join("\n");
}
