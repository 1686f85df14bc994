/**
 * Audit logs built in memory for the verifier's tests: entries chained as the append writes
 * them, a release-manager key and its allowed-signers entry.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { checkpointRecord } from "../../automation/lib/audit/checkpoint";
import {
  type AuditHead,
  type AuditRecord,
  canonicalLine,
  EMPTY_HEAD,
  lineHash,
  nextEntry,
} from "../../automation/lib/audit/entry";
import { type AllowedSigner, parseAllowedSigners } from "../../automation/lib/signing/allowed-signers";
import { allowedSignerLine } from "../../automation/lib/signing/keys";

/** The stack the test logs belong to. */
export const STACK = "production";

/** A fresh Ed25519 private key. */
export function newKey(): KeyObject {
  return generateKeyPairSync("ed25519").privateKey;
}

/** The allowed signers listing `key` for `principal`. */
export function signersFor(key: KeyObject, principal = "rm@example.com", options = ""): AllowedSigner[] {
  const line = allowedSignerLine(principal, key);
  return parseAllowedSigners(
    options ? line.replace(" ssh-ed25519", `,${options} ssh-ed25519`) : line,
    "test",
  );
}

/** What one test entry records. */
function record(i: number): AuditRecord {
  const kinds = ["gate", "deploy", "verify-live", "rollback", "approval", "golden"] as const;
  return {
    kind: kinds[i % kinds.length] as AuditRecord["kind"],
    data: { stack: STACK, n: i, note: `step ${i}` },
  };
}

/** A built log: its lines and the head after each line. */
export interface BuiltLog {
  lines: Buffer[];
  heads: AuditHead[];
  bytes: Buffer;
}

/**
 * A log of `n` entries; `checkpointEvery` entries a checkpoint signed by `key`.
 *
 * @param n - entries in all (checkpoints included)
 */
export function buildLog(
  n: number,
  opts: { key?: KeyObject; checkpointEvery?: number; start?: Date } = {},
): BuiltLog {
  const lines: Buffer[] = [];
  const heads: AuditHead[] = [];
  let head = EMPTY_HEAD;
  const t0 = (opts.start ?? new Date("2026-12-01T10:00:00Z")).getTime();
  for (let i = 1; i <= n; i++) {
    const at = new Date(t0 + i * 1000);
    const r =
      opts.key !== undefined && opts.checkpointEvery !== undefined && i % opts.checkpointEvery === 0
        ? checkpointRecord(STACK, head, "rm@example.com", opts.key, at)
        : record(i);
    const line = canonicalLine(nextEntry(head, r, at));
    head = { seq: i, hash: lineHash(line) };
    lines.push(line);
    heads.push(head);
  }
  return { lines, heads, bytes: Buffer.concat(lines) };
}
