/**
 * The audit log's verifier, over the raw bytes of the file: every finding names the 1-based line
 * and a stable kind. Pure.
 *
 * - `malformed`: the line is not an entry in canonical form (not JSON, not the schema, bytes
 *   outside printable ASCII, keys out of order).
 * - `hash-mismatch`: an entry's `prev` is not the SHA-256 of the line before it; the line named is
 *   the one that changed (the earlier line, unless only the later line's `prev` field differs).
 * - `sequence-gap` (lines deleted), `reordered` (two lines swapped), `sequence-mismatch` (a seq
 *   altered, repeated or out of place).
 * - `torn-last-line`: bytes after the last newline that are the start of the next entry (a write
 *   cut short by a crash; `audit repair` removes them). `trailing-bytes`: anything else there.
 * - `truncated`: a stack-history anchor names a seq past the log's end (the last lines cut off).
 *   `anchor-mismatch`: the line with an anchored seq is not the one the anchor recorded.
 * - `checkpoint-mismatch`, `signature-invalid`, `unlisted-signer`, `signer-expired`: a checkpoint
 *   that does not sign the head before it, or not with a key the allowed signers list.
 */
import type { AllowedSigner } from "../signing/allowed-signers";
import type { AuditAnchor } from "./anchor";
import { checkCheckpoint } from "./checkpoint";
import {
  type AuditEntry,
  type AuditHead,
  auditEntrySchema,
  canonicalLine,
  EMPTY_HEAD,
  GENESIS,
  lineHash,
  linePreamble,
} from "./entry";
import { isJsonPrefix } from "./json-prefix";
import { checkSequence } from "./sequence";

/** The stable kinds of finding. */
export const FINDING_KINDS = [
  "malformed",
  "hash-mismatch",
  "sequence-gap",
  "sequence-mismatch",
  "reordered",
  "torn-last-line",
  "trailing-bytes",
  "truncated",
  "anchor-mismatch",
  "checkpoint-mismatch",
  "signature-invalid",
  "unlisted-signer",
  "signer-expired",
] as const;

/** One of {@link FINDING_KINDS}. */
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One thing wrong with the log. */
export interface AuditFinding {
  /** 1-based line of the file. */
  line: number;
  kind: FindingKind;
  /** What is wrong, in words. */
  message: string;
}

/**
 * A finding as one line of text: `line 17: hash-mismatch: …`.
 *
 * @param f - the finding
 */
export function describeFinding(f: AuditFinding): string {
  return `line ${f.line}: ${f.kind}: ${f.message}`;
}

/** Options of {@link verifyLog}. */
export interface VerifyOptions {
  /** The stack the log belongs to (checkpoints must name it). @default - each checkpoint's own */
  stack?: string;
  /** Keys whose checkpoints count. @default - none: every checkpoint is `unlisted-signer` */
  signers?: readonly AllowedSigner[];
  /** Heads recorded elsewhere (stack history) the log must still contain. @default - none */
  anchors?: readonly AuditAnchor[];
}

/** What {@link verifyLog} found. */
export interface VerifyResult {
  /** No finding. */
  ok: boolean;
  /** Complete lines (ending in a newline). */
  lines: number;
  /** The log's head: the last seq it reaches and the hash of that line. */
  head: AuditHead;
  /** Findings, by line. */
  findings: AuditFinding[];
  /** Checkpoints that hold. */
  checkpoints: number;
  /** The newest seq a holding checkpoint signs (0: none). */
  signedThrough: number;
  /** Anchors compared. */
  anchors: number;
  /** The torn last line, when that is the log's only finding (what `audit repair` removes). */
  torn?: { line: number; offset: number; bytes: number };
}

/** Splits bytes into complete lines (newline kept) and the bytes after the last newline. */
export function splitLines(bytes: Buffer): { lines: Buffer[]; fragment: Buffer; fragmentOffset: number } {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10, start); nl >= 0; nl = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, nl + 1));
    start = nl + 1;
  }
  return { lines, fragment: bytes.subarray(start), fragmentOffset: start };
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Parses one line (newline included) into an entry, or says why it is not one. */
export function parseLine(bytes: Buffer): { entry: AuditEntry } | { error: string } {
  const text = bytes.subarray(0, bytes.length - 1).toString("latin1");
  if (!PRINTABLE.test(text)) return { error: "holds bytes outside printable ASCII" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: "is not JSON" };
  }
  const parsed = auditEntrySchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { error: `is not an audit entry (${i?.path.join(".") || "entry"}: ${i?.message})` };
  }
  if (!canonicalLine(parsed.data).equals(bytes)) return { error: "is not in canonical form" };
  return { entry: parsed.data };
}

/** How many hex digits differ (a `prev` field with one altered byte differs in one). */
function hexDistance(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Whether the bytes after the last newline are the start of the entry after `head`. */
function isTorn(fragment: Buffer, head: AuditHead | undefined): boolean {
  let end = fragment.length;
  while (end > 0 && fragment[end - 1] === 0) end--; // a crash can leave the file extended with zeros
  const text = fragment.subarray(0, end).toString("latin1");
  if (text === "") return true;
  if (head === undefined || !PRINTABLE.test(text)) return false;
  const preamble = linePreamble(head);
  return preamble.startsWith(text) || (text.startsWith(preamble) && isJsonPrefix(text));
}

/**
 * Verifies a log.
 *
 * @param bytes - the file's bytes, exactly as on disk
 * @param opts - stack, allowed signers, anchors
 */
export function verifyLog(bytes: Buffer, opts: VerifyOptions = {}): VerifyResult {
  const { lines, fragment, fragmentOffset } = splitLines(bytes);
  const findings: AuditFinding[] = [];
  const add = (index: number, kind: FindingKind, message: string) =>
    findings.push({ line: index + 1, kind, message });

  const parsed = lines.map(parseLine);
  const entries = parsed.map((p) => ("entry" in p ? p.entry : undefined));
  parsed.forEach((p, i) => {
    if ("error" in p) add(i, "malformed", `the line ${p.error}`);
  });

  // A line that does not parse may hold several entries run together (a lost newline).
  const spans = lines.map((l, i) =>
    entries[i] ? 1 : Math.max(1, l.toString("latin1").split('{"seq":').length - 1),
  );
  const seq = checkSequence(
    entries.map((e) => e?.seq),
    spans,
  );
  for (const f of seq.findings) add(f.index, f.kind, f.message);
  const hashOf = (i: number) => lineHash(lines[i] as Buffer);

  for (const [s, i] of seq.lineOf) {
    const entry = entries[i];
    if (entry === undefined) continue;
    const before = seq.lineOf.get(s - 1);
    const expected = s === 1 ? GENESIS : before === undefined ? undefined : hashOf(before);
    if (expected === undefined || entry.prev === expected) continue;
    if (s === 1 || before === undefined || hexDistance(entry.prev, expected) <= 2) {
      add(
        i,
        "hash-mismatch",
        `prev ${entry.prev.slice(0, 12)}… is not the hash of ${s === 1 ? "the genesis" : `line ${(before as number) + 1}`} (${expected.slice(0, 12)}…): its prev field was altered`,
      );
    } else {
      add(
        before,
        "hash-mismatch",
        `the line changed after entry ${s} (line ${i + 1}) was written: its SHA-256 is ${expected.slice(0, 12)}…, entry ${s} recorded ${entry.prev.slice(0, 12)}…`,
      );
    }
  }

  let checkpoints = 0;
  let signedThrough = 0;
  for (const i of seq.lineOf.values()) {
    const entry = entries[i];
    if (entry?.kind !== "checkpoint") continue;
    const problem = checkCheckpoint(entry, opts.signers ?? [], opts.stack);
    if (problem !== undefined) add(i, problem.kind, problem.message);
    else {
      checkpoints++;
      signedThrough = Math.max(signedThrough, entry.seq - 1);
    }
  }

  const lastIndex = seq.lineOf.get(seq.last);
  const head: AuditHead =
    seq.last === 0 || lastIndex === undefined ? EMPTY_HEAD : { seq: seq.last, hash: hashOf(lastIndex) };
  let torn: VerifyResult["torn"];
  if (fragment.length > 0) {
    const lastEntry = entries[lines.length - 1];
    const before =
      lines.length === 0 ? EMPTY_HEAD : lastEntry && { seq: lastEntry.seq, hash: hashOf(lines.length - 1) };
    if (isTorn(fragment, before)) {
      add(
        lines.length,
        "torn-last-line",
        `the last line is torn: ${fragment.length} bytes without a newline, the start of entry ${(before?.seq ?? seq.last) + 1} (a write cut short); \`glidepath audit repair\` removes it`,
      );
      torn = { line: lines.length + 1, offset: fragmentOffset, bytes: fragment.length };
    } else {
      add(
        lines.length,
        "trailing-bytes",
        `${fragment.length} bytes after the last newline are not the start of the next entry: data was appended to the log`,
      );
    }
  }

  const anchors = opts.anchors ?? [];
  let cut: AuditAnchor | undefined;
  for (const a of anchors) {
    if (a.seq === 0) {
      if (!GENESIS.startsWith(a.hashPrefix))
        add(0, "anchor-mismatch", `${a.source} anchors an empty log of another genesis`);
      continue;
    }
    const i = seq.lineOf.get(a.seq);
    if (i !== undefined) {
      if (!hashOf(i).startsWith(a.hashPrefix))
        add(
          i,
          "anchor-mismatch",
          `entry ${a.seq} is not the one ${a.source} recorded (${a.hashPrefix}…, the line hashes to ${hashOf(i).slice(0, 12)}…): the log was rewritten`,
        );
    } else if (a.seq > seq.last && (cut === undefined || a.seq > cut.seq)) cut = a;
  }
  if (cut !== undefined)
    add(
      lines.length,
      "truncated",
      `the log ends at seq ${seq.last} but ${cut.source} anchors seq ${cut.seq}: its last lines were cut off`,
    );

  const unique = new Map<string, AuditFinding>();
  for (const f of findings) if (!unique.has(`${f.line}:${f.kind}`)) unique.set(`${f.line}:${f.kind}`, f);
  const sorted = [...unique.values()].sort((a, b) => a.line - b.line);
  return {
    ok: sorted.length === 0,
    lines: lines.length,
    head,
    findings: sorted,
    checkpoints,
    signedThrough,
    anchors: anchors.length,
    torn: sorted.length === 1 && sorted[0]?.kind === "torn-last-line" ? torn : undefined,
  };
}
