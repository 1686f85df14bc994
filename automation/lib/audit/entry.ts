/**
 * One entry of the audit log and its exact bytes. The log is JSONL: one entry per line, each
 * line the canonical JSON of its entry (keys in a fixed order, `data` keys sorted, non-ASCII
 * escaped, so every line is printable ASCII) and a newline. Entry `seq` (1, 2, 3, …) carries in
 * `prev` the SHA-256 of the previous line's exact bytes, newline included; entry 1 carries
 * {@link GENESIS}. The chain is over the bytes as they are on disk, never over a re-serialization,
 * so any change to a line shows. Pure.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

/** What an entry records. */
export const AUDIT_KINDS = [
  "gate",
  "deploy",
  "rollback",
  "approval",
  "golden",
  "verify-live",
  "checkpoint",
  "repair",
  "refusal",
] as const;

/** One of {@link AUDIT_KINDS}. */
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** A lowercase SHA-256 in hex. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The `prev` of entry 1: SHA-256 of the text `glidepath audit log v1\n`. */
export const GENESIS = createHash("sha256").update("glidepath audit log v1\n").digest("hex");

/** The schema of one line, once parsed. */
export const auditEntrySchema = z.strictObject({
  /** 1, 2, 3, … without gaps. */
  seq: z.number().int().positive(),
  /** SHA-256 (hex) of the previous line's bytes, newline included; {@link GENESIS} for entry 1. */
  prev: z.string().regex(SHA256_HEX),
  /** When the entry was written (ISO 8601, UTC). */
  time: z.iso.datetime(),
  kind: z.enum(AUDIT_KINDS),
  /** What happened; never a secret value. */
  data: z.record(z.string(), z.unknown()),
});

/** One entry of the audit log. */
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** The head of a log: its last entry's seq and the SHA-256 of that line (seq 0 and {@link GENESIS} when empty). */
export interface AuditHead {
  /** The last entry's seq (0 for an empty log). */
  seq: number;
  /** SHA-256 (hex) of the last line's bytes, newline included. */
  hash: string;
}

/** The head of an empty log. */
export const EMPTY_HEAD: AuditHead = { seq: 0, hash: GENESIS };

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * The exact bytes of an entry's line: canonical JSON and `\n`, printable ASCII only.
 *
 * @param entry - the entry
 */
export function canonicalLine(entry: AuditEntry): Buffer {
  const ordered = {
    seq: entry.seq,
    prev: entry.prev,
    time: entry.time,
    kind: entry.kind,
    data: sortKeys(entry.data),
  };
  const json = JSON.stringify(ordered).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return Buffer.from(`${json}\n`, "ascii");
}

/**
 * SHA-256 (hex) of a line's bytes (pass the newline with it).
 *
 * @param bytes - the line
 */
export function lineHash(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** What a command records; the chain fields are filled in by the append. */
export interface AuditRecord {
  kind: AuditKind;
  /** What happened; never a secret value. */
  data: Record<string, unknown>;
}

/**
 * The entry that follows a head.
 *
 * @param head - the log's head
 * @param record - what to record
 * @param now - the time @default - now
 */
export function nextEntry(head: AuditHead, record: AuditRecord, now: Date = new Date()): AuditEntry {
  return {
    seq: head.seq + 1,
    prev: head.hash,
    time: now.toISOString(),
    kind: record.kind,
    data: record.data,
  };
}

/**
 * The start every line after `head` must have (`{"seq":N,"prev":"…"`): what a torn last line is
 * a prefix of.
 *
 * @param head - the head before the line
 */
export function linePreamble(head: AuditHead): string {
  return `{"seq":${head.seq + 1},"prev":"${head.hash}"`;
}
