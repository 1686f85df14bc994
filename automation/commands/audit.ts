/**
 * `glidepath audit verify|repair|checkpoint|signer --stack S`: the stack's tamper-evident audit
 * log. `verify` checks the chain, the signed checkpoints against the allowed signers and the heads
 * the stack history's update messages carry, and exits 1 naming each finding's line and kind;
 * `repair` removes a torn last line (and only that), recording a `repair` entry; `checkpoint`
 * appends the release manager's signature over the head of a log that verifies; `signer` prints
 * the allowed-signers line of a key.
 */
import * as path from "node:path";
import type { Argv } from "yargs";
import { z } from "zod";
import { type AuditAnchor, parseAnchors } from "../lib/audit/anchor";
import { AUDIT_NAMESPACE, checkpointRecord } from "../lib/audit/checkpoint";
import { stackHistoryAnchors } from "../lib/audit/history-anchors";
import { appendAudit, auditFile, readAuditBytes, repairAudit } from "../lib/audit/log-file";
import { describeFinding, type VerifyOptions, verifyLog } from "../lib/audit/verify";
import { GlidepathError } from "../lib/errors";
import { findSigner } from "../lib/signing/allowed-signers";
import {
  ALLOWED_SIGNERS_FILE,
  allowedSignerLine,
  loadAllowedSigners,
  loadSigningKey,
} from "../lib/signing/keys";
import { ed25519Blob, fingerprintOf } from "../lib/signing/ssh-wire";
import { emit, openProjectOf, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "audit <action>";
export const describe =
  "verify the stack's tamper-evident audit log (verify), remove a torn last line (repair), sign its head (checkpoint), print a key's allowed-signers line (signer)";

export function builder(y: Argv) {
  return withStackOptions(y)
    .positional("action", { type: "string", choices: ["verify", "repair", "checkpoint", "signer"] })
    .option("log", {
      type: "string",
      describe: "the audit log file (default: the stack's, beside its state)",
    })
    .option("allowed-signers", {
      type: "string",
      describe: `OpenSSH allowed_signers file of the keys whose checkpoints count (default: ${ALLOWED_SIGNERS_FILE} in the project)`,
    })
    .option("history", {
      type: "boolean",
      default: true,
      describe:
        "compare the log with the heads in the stack history's update messages (--no-history: the chain only)",
    })
    .option("anchor", {
      type: "string",
      array: true,
      describe: "a head recorded elsewhere, as audit=<seq>:<hex> (repeatable)",
    })
    .option("key", {
      type: "string",
      describe: "checkpoint, signer: PEM Ed25519 private key (default: $GLIDEPATH_SIGNING_KEY_FILE)",
    })
    .option("principal", {
      type: "string",
      describe: "checkpoint, signer: who signs (as listed in the allowed signers)",
    });
}

const args = stackArgs.extend({
  action: z.enum(["verify", "repair", "checkpoint", "signer"], {
    error: "expected verify, repair, checkpoint or signer",
  }),
  log: z.string().min(1).optional(),
  allowedSigners: z.string().min(1).optional(),
  history: z.boolean(),
  anchor: z
    .array(
      z
        .string()
        .regex(/^(audit=)?\d+:[0-9a-f]{12,64}$/, { error: "expected audit=<seq>:<12 to 64 hex digits>" }),
    )
    .optional(),
  key: z.string().min(1).optional(),
  principal: z
    .string()
    .regex(/^[^\s,"]+$/, { error: "expected a principal without spaces, commas or quotes" })
    .optional(),
});

type Args = z.infer<typeof args>;

/** What `verify` and `repair` compare the log with. */
async function verifyInputs(
  a: Args,
  projectDir: string,
): Promise<VerifyOptions & { signersFile: string; signersListed: boolean }> {
  const signersFile = path.resolve(a.allowedSigners ?? path.join(projectDir, ALLOWED_SIGNERS_FILE));
  const { signers, exists } = await loadAllowedSigners(signersFile);
  const anchors: AuditAnchor[] = (a.anchor ?? []).flatMap((t) =>
    parseAnchors(t.startsWith("audit=") ? t : `audit=${t}`, "--anchor"),
  );
  if (a.history) anchors.push(...(await stackHistoryAnchors(projectDir, a.stack, progressLine)));
  return { stack: a.stack, signers, anchors, signersFile, signersListed: exists };
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const projectDir = await openProjectOf(a);
  const file = path.resolve(a.log ?? auditFile(projectDir, a.stack));
  if (a.action === "signer") return signer(a);
  if (a.action === "checkpoint") return checkpoint(a, projectDir, file);
  const inputs = await verifyInputs(a, projectDir);
  if (a.action === "repair") {
    const r = await repairAudit(file, inputs);
    const doc = { stack: a.stack, file, repaired: r };
    emit(
      a.json,
      doc,
      () =>
        `${file}: removed the torn line ${r.line} (${r.removedBytes} bytes, sha256 ${r.removedSha256.slice(0, 12)}…); recorded repair entry ${r.head.seq}`,
    );
    return;
  }
  const { bytes, exists } = await readAuditBytes(file);
  const r = verifyLog(bytes, inputs);
  const doc = {
    stack: a.stack,
    file,
    exists,
    ok: r.ok,
    lines: r.lines,
    head: r.head,
    checkpoints: r.checkpoints,
    signedThrough: r.signedThrough,
    unsigned: r.head.seq - r.signedThrough,
    anchors: r.anchors,
    allowedSigners: {
      file: inputs.signersFile,
      exists: inputs.signersListed,
      count: inputs.signers?.length ?? 0,
    },
    findings: r.findings,
  };
  emit(a.json, doc, () =>
    [
      `${file}${exists ? "" : " (absent)"}: ${r.lines} entries, head ${r.head.seq}:${r.head.hash.slice(0, 16)}`,
      `  ${r.checkpoints} signed checkpoints (through seq ${r.signedThrough}; ${doc.unsigned} entries after it), ${r.anchors} anchors compared, ${doc.allowedSigners.count} allowed signers`,
      ...r.findings.map((f) => `  ${describeFinding(f)}`),
      r.ok ? "OK" : `FAILED: ${r.findings.length} finding${r.findings.length === 1 ? "" : "s"}`,
    ].join("\n"),
  );
  if (!r.ok) {
    const first = r.findings[0];
    throw new GlidepathError(
      "GP_AUDIT_INVALID",
      `the audit log ${file} does not verify: ${r.findings.map(describeFinding).join("; ")}`,
      r.torn !== undefined
        ? `the only finding is a torn last line (a write cut short): \`glidepath audit repair --stack ${a.stack}\` removes it`
        : `treat it as tampering: keep a copy of the file as evidence and start from ${first === undefined ? "the first finding" : `line ${first.line}`}; nothing was changed`,
    );
  }
}

async function signer(a: Args): Promise<void> {
  if (a.principal === undefined)
    throw new GlidepathError(
      "GP_ARG_INVALID",
      "--principal is required for `audit signer`",
      "pass --principal NAME (e.g. your e-mail)",
    );
  const key = await loadSigningKey(a.key);
  const line = allowedSignerLine(a.principal, key);
  emit(a.json, { principal: a.principal, fingerprint: fingerprintOf(ed25519Blob(key)), line }, () => line);
}

async function checkpoint(a: Args, projectDir: string, file: string): Promise<void> {
  if (a.principal === undefined)
    throw new GlidepathError(
      "GP_ARG_INVALID",
      "--principal is required for `audit checkpoint`",
      "pass --principal NAME as listed in the allowed signers",
    );
  const key = await loadSigningKey(a.key);
  const inputs = await verifyInputs(a, projectDir);
  const fingerprint = fingerprintOf(ed25519Blob(key));
  const listed = findSigner(inputs.signers ?? [], {
    fingerprint,
    principal: a.principal,
    namespace: AUDIT_NAMESPACE,
    at: new Date(),
  });
  if (listed.status !== "ok")
    throw new GlidepathError(
      "GP_SIGNING_KEY_INVALID",
      `${inputs.signersFile}: ${listed.reason}; nothing was written`,
      `add \`glidepath audit signer --principal ${a.principal}\`'s line to ${ALLOWED_SIGNERS_FILE} through review, or sign with a listed key`,
    );
  const principal = a.principal;
  const head = await appendAudit(file, (h, now) => checkpointRecord(a.stack, h, principal, key, now), {
    verifyFirst: inputs,
  });
  emit(
    a.json,
    { stack: a.stack, file, checkpoint: head, signer: principal, fingerprint },
    () => `${file}: checkpoint ${head.seq} signed by ${principal} (${fingerprint}) over seq ${head.seq - 1}`,
  );
}
