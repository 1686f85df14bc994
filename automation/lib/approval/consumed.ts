/**
 * The approvals a stack's audit log records: `approval` entries of action `created` (written by
 * `glidepath approve`) and `consumed` (written by a production update that used one). A nonce
 * with a `consumed` entry admits nothing more. Pure.
 */
import type { AuditRecord } from "../audit/entry";
import { parseLine, splitLines } from "../audit/verify";
import type { Approval } from "./payload";

/** What an `approval` audit entry records (never a secret). */
export interface ApprovalAuditData {
  stack: string;
  nonce: string;
  signer: string;
  verdictDigest: string;
  expires: string;
  action: "created" | "consumed";
}

/**
 * The audit record of an approval being made or consumed.
 *
 * @param approval - the approval
 * @param action - what happened to it
 */
export function approvalRecord(approval: Approval, action: ApprovalAuditData["action"]): AuditRecord {
  const p = approval.payload;
  const data: ApprovalAuditData = {
    stack: p.stack,
    nonce: p.nonce,
    signer: p.signer,
    verdictDigest: p.verdictDigest,
    expires: p.expires,
    action,
  };
  return { kind: "approval", data: { ...data } };
}

/**
 * The nonces a log records as consumed for a stack. Lines that are not entries are skipped here
 * (`glidepath audit verify` reports them).
 *
 * @param bytes - the audit log's bytes
 * @param stack - the stack
 */
export function consumedNonces(bytes: Buffer, stack: string): Set<string> {
  const out = new Set<string>();
  for (const line of splitLines(bytes).lines) {
    const parsed = parseLine(line);
    if ("error" in parsed || parsed.entry.kind !== "approval") continue;
    const d = parsed.entry.data;
    if (d.action === "consumed" && d.stack === stack && typeof d.nonce === "string") out.add(d.nonce);
  }
  return out;
}
