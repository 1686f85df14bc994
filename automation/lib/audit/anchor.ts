/**
 * The audit log's head in a `pulumi up --message`: `audit=<seq>:<hash prefix>`. Every
 * production update carries it, so `pulumi stack history` keeps a copy of the head that whoever
 * rewrites or cuts the log cannot change (the backend's history is not the log's writer's to
 * edit). `audit verify` compares the log against every such anchor. Pure.
 */
import { type AuditHead, SHA256_HEX } from "./entry";

/** Hex digits of the head's hash the message carries by default: 64 bits. */
export const ANCHOR_HEX_DEFAULT = 16;

/** Fewest hex digits an anchor may carry to count (48 bits). */
export const ANCHOR_HEX_MIN = 12;

/** A head as a history message records it. */
export interface AuditAnchor {
  /** The anchored seq. */
  seq: number;
  /** A prefix (at least {@link ANCHOR_HEX_MIN} hex digits) of the hash of the line with that seq. */
  hashPrefix: string;
  /** Where it came from (`stack history update 12`). */
  source: string;
}

/**
 * The token that goes into a `pulumi up --message`: `audit=<seq>:<hash prefix>`.
 *
 * @param head - the log's head when the update starts
 * @param hexDigits - how much of the hash to carry @default {@link ANCHOR_HEX_DEFAULT}
 */
export function formatAnchor(head: AuditHead, hexDigits: number = ANCHOR_HEX_DEFAULT): string {
  if (!SHA256_HEX.test(head.hash)) throw new Error(`not a SHA-256: ${head.hash}`);
  const n = Math.min(64, Math.max(ANCHOR_HEX_MIN, hexDigits));
  return `audit=${head.seq}:${head.hash.slice(0, n)}`;
}

/** `audit=<seq>:<hex>` as a separate word of a message. */
const ANCHOR = /(?:^|\s)audit=(\d{1,15}):([0-9a-f]{12,64})(?=\s|$)/g;

/**
 * The anchors a message carries (usually none or one).
 *
 * @param message - an update message
 * @param source - where the message came from, for findings
 */
export function parseAnchors(message: string, source: string): AuditAnchor[] {
  return [...message.matchAll(ANCHOR)].map((m) => ({
    seq: Number(m[1]),
    hashPrefix: m[2] as string,
    source,
  }));
}

/**
 * Every anchor in a stack's history.
 *
 * @param history - updates with their number and message (any order)
 */
export function anchorsFromHistory(history: readonly { version: number; message: string }[]): AuditAnchor[] {
  return history.flatMap((h) => parseAnchors(h.message, `stack history update ${h.version}`));
}
