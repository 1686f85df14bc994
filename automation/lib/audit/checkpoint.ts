/**
 * Signed checkpoints: an audit entry of kind `checkpoint` in which the release manager signs the
 * head before it (stack, seq, hash) in the SSHSIG format, namespace `glidepath-audit`. Whoever
 * rewrites the log can recompute every hash but cannot sign as a listed key, so a rewritten
 * prefix shows at its first checkpoint. Pure.
 */
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import { type AllowedSigner, findSigner } from "../signing/allowed-signers";
import { sshsigSign, sshsigVerify } from "../signing/sshsig";
import { type AuditEntry, type AuditHead, type AuditRecord, SHA256_HEX } from "./entry";

/** The namespace of checkpoint signatures. */
export const AUDIT_NAMESPACE = "glidepath-audit";

/** The `data` of a checkpoint entry. */
export const checkpointDataSchema = z.strictObject({
  /** The stack whose log this is (signed: a checkpoint is not valid in another stack's log). */
  stack: z.string().min(1),
  /** The signed head: the seq of the entry before the checkpoint. */
  seq: z.number().int().nonnegative(),
  /** The signed head: the SHA-256 of that entry's line. */
  hash: z.string().regex(SHA256_HEX),
  /** Who signed (a principal of the allowed-signers file). */
  signer: z.string().min(1),
  /** When it was signed (the entry's `time`; signed, so it cannot be re-dated). */
  time: z.iso.datetime(),
  /** The SSHSIG signature (base64, one line) over {@link checkpointMessage}. */
  signature: z.string().min(1),
});

/** The `data` of a checkpoint entry. */
export type CheckpointData = z.infer<typeof checkpointDataSchema>;

/**
 * The exact text a checkpoint signs.
 *
 * @param stack - the stack
 * @param head - the signed head
 * @param time - when it is signed (ISO 8601)
 */
export function checkpointMessage(stack: string, head: AuditHead, time: string): string {
  return `glidepath audit checkpoint v1\nstack ${stack}\nseq ${head.seq}\nhash ${head.hash}\ntime ${time}\n`;
}

/**
 * The record of a checkpoint over `head`.
 *
 * @param stack - the stack
 * @param head - the log's head now
 * @param signer - the principal signing
 * @param key - the signer's Ed25519 private key
 * @param now - the checkpoint entry's time
 */
export function checkpointRecord(
  stack: string,
  head: AuditHead,
  signer: string,
  key: KeyObject,
  now: Date,
): AuditRecord {
  const time = now.toISOString();
  const signature = sshsigSign(checkpointMessage(stack, head, time), AUDIT_NAMESPACE, key);
  const data: CheckpointData = { stack, seq: head.seq, hash: head.hash, signer, time, signature };
  return { kind: "checkpoint", data };
}

/** What is wrong with a checkpoint (a stable kind of finding) and why. */
export interface CheckpointProblem {
  kind: "checkpoint-mismatch" | "signature-invalid" | "unlisted-signer" | "signer-expired";
  message: string;
}

/**
 * Checks a checkpoint entry: it signs the head right before it, of this stack, with a valid
 * signature by a key the allowed signers list for that principal, namespace and time.
 *
 * @param entry - the checkpoint entry
 * @param signers - the allowed signers
 * @param stack - the stack whose log this is; undefined: the checkpoint's own
 * @returns undefined when it holds
 */
export function checkCheckpoint(
  entry: AuditEntry,
  signers: readonly AllowedSigner[],
  stack: string | undefined,
): CheckpointProblem | undefined {
  const parsed = checkpointDataSchema.safeParse(entry.data);
  if (!parsed.success)
    return {
      kind: "checkpoint-mismatch",
      message: `checkpoint data is malformed: ${parsed.error.issues[0]?.message}`,
    };
  const d = parsed.data;
  if (d.seq !== entry.seq - 1 || d.hash !== entry.prev)
    return {
      kind: "checkpoint-mismatch",
      message: `checkpoint signs seq ${d.seq} (${d.hash.slice(0, 12)}…), not the entry before it (seq ${entry.seq - 1}, ${entry.prev.slice(0, 12)}…)`,
    };
  if (d.time !== entry.time)
    return {
      kind: "checkpoint-mismatch",
      message: `checkpoint signs time ${d.time}, the entry says ${entry.time}`,
    };
  if (stack !== undefined && d.stack !== stack)
    return {
      kind: "checkpoint-mismatch",
      message: `checkpoint is for stack ${JSON.stringify(d.stack)}, not ${stack}`,
    };
  const sig = sshsigVerify(d.signature, checkpointMessage(d.stack, { seq: d.seq, hash: d.hash }, d.time));
  if (sig === undefined) return { kind: "signature-invalid", message: "checkpoint signature cannot be read" };
  if (sig.namespace !== AUDIT_NAMESPACE)
    return {
      kind: "signature-invalid",
      message: `checkpoint signature is for namespace ${JSON.stringify(sig.namespace)}, not ${AUDIT_NAMESPACE}`,
    };
  if (!sig.valid)
    return {
      kind: "signature-invalid",
      message: `checkpoint signature by ${sig.fingerprint} does not verify`,
    };
  const verdict = findSigner(signers, {
    fingerprint: sig.fingerprint,
    principal: d.signer,
    namespace: sig.namespace,
    at: new Date(entry.time),
  });
  if (verdict.status === "unlisted")
    return {
      kind: "unlisted-signer",
      message: `checkpoint signed by ${JSON.stringify(d.signer)}: ${verdict.reason}`,
    };
  if (verdict.status === "expired")
    return {
      kind: "signer-expired",
      message: `checkpoint signed by ${JSON.stringify(d.signer)}: ${verdict.reason}`,
    };
  return undefined;
}
