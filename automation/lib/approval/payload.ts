/**
 * A deploy approval: the release manager's SSHSIG signature (namespace `glidepath-deploy`) over
 * the canonical JSON of what may go to production: the stack, the bundle digests, the digest of
 * the gate verdict that passed them, an expiry and a nonce. Making one and judging one are here;
 * reading the files they are judged against is the caller's. Pure: the same judgement runs in
 * the driver, in the Pulumi program and in the policy pack.
 */

import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ErrorCode } from "../errors";
import { canonicalJson, type GateVerdict, verdictDigest } from "../gate/verdict";
import { type AllowedSigner, findSigner } from "../signing/allowed-signers";
import { sshsigSign, sshsigVerify } from "../signing/sshsig";

/** The namespace of approval signatures (distinct from the audit checkpoints' `glidepath-audit`). */
export const DEPLOY_NAMESPACE = "glidepath-deploy";

/** The payload's schema id. */
export const APPROVAL_SCHEMA = "glidepath.approval/v1";

/** The file name of a stack's approval, beside its gate verdict. */
export const APPROVAL_FILE = "approval.json";

/** The longest an approval may be valid. */
export const MAX_APPROVAL_MS = 24 * 3_600_000;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a lowercase SHA-256 in hex");

/** What an approval signs. */
export const approvalPayloadSchema = z.strictObject({
  schema: z.literal(APPROVAL_SCHEMA),
  /** The stack it admits an update of. */
  stack: z.string().min(1),
  /** Bundle key → SHA-256 hex: exactly the gate verdict's bundles. */
  bundles: z.record(z.string(), sha256Hex),
  /** The digest of the gate verdict that passed them (`verdictDigest`). */
  verdictDigest: sha256Hex,
  /** Who signs: a principal of the allowed-signers file. */
  signer: z.string().min(1),
  /** When it was made (ISO 8601, UTC; the key must be valid then). */
  issued: z.iso.datetime(),
  /** After this instant it admits nothing (ISO 8601, UTC). */
  expires: z.iso.datetime(),
  /** 128 random bits in hex: a production update consumes it, once. */
  nonce: z.string().regex(/^[0-9a-f]{32}$/, "32 lowercase hex digits"),
});

/** What an approval signs. */
export type ApprovalPayload = z.infer<typeof approvalPayloadSchema>;

/** The approval file: the payload and the SSHSIG signature over its canonical JSON. */
export const approvalFileSchema = z.strictObject({
  payload: approvalPayloadSchema,
  /** SSHSIG, base64 on one line (or the armored text `ssh-keygen -Y sign` writes). */
  signature: z.string().min(1),
});

/** An approval as written to its file. */
export type Approval = z.infer<typeof approvalFileSchema>;

/**
 * The exact bytes an approval's signature covers: the payload's canonical JSON (also what
 * `jq -cS .payload approval.json` prints, for `ssh-keygen -Y verify`).
 *
 * @param payload - the payload
 */
export function approvalMessage(payload: ApprovalPayload): string {
  return canonicalJson(payload);
}

/** What {@link makeApproval} needs. */
export interface MakeApprovalInput {
  /** The stack. */
  stack: string;
  /** The gate verdict being approved (its bundles are what the approval admits). */
  verdict: GateVerdict;
  /** Who signs (a principal of the allowed signers). */
  signer: string;
  /** The signer's Ed25519 private key. */
  key: KeyObject;
  /** How long it is valid (ms), at most {@link MAX_APPROVAL_MS}. */
  validMs: number;
  /** Now. @default - the current time */
  now?: Date;
  /** The nonce. @default - 16 random bytes in hex */
  nonce?: string;
  /** The namespace to sign for (tests sign for others). @default {@link DEPLOY_NAMESPACE} */
  namespace?: string;
}

/**
 * Makes and signs an approval of a verdict's bundles.
 *
 * @param i - stack, verdict, signer, key, validity
 */
export function makeApproval(i: MakeApprovalInput): Approval {
  const now = i.now ?? new Date();
  const payload = approvalPayloadSchema.parse({
    schema: APPROVAL_SCHEMA,
    stack: i.stack,
    bundles: i.verdict.bundles,
    verdictDigest: verdictDigest(i.verdict),
    signer: i.signer,
    issued: now.toISOString(),
    expires: new Date(now.getTime() + i.validMs).toISOString(),
    nonce: i.nonce ?? randomBytes(16).toString("hex"),
  });
  return {
    payload,
    signature: sshsigSign(approvalMessage(payload), i.namespace ?? DEPLOY_NAMESPACE, i.key),
  };
}

/** What an approval is judged against. */
export interface JudgeInput {
  /** The approval file's parsed JSON; undefined when there is none. */
  approval: unknown;
  /** Where it was looked for, for messages. */
  file: string;
  /** The stack being updated. */
  stack: string;
  /** The stack's current gate verdict; undefined when there is none. */
  verdict: GateVerdict | undefined;
  /** The allowed signers. */
  signers: readonly AllowedSigner[];
  /** Nonces already consumed by production updates. */
  consumed: ReadonlySet<string>;
  /**
   * The bundles the update deploys (key → SHA-256 hex): each must be one the approval names,
   * with the same digest.
   */
  bundles: Readonly<Record<string, string>>;
  /** Now. */
  now: Date;
  /** How long the admitted updates take (a ramp's bake): the approval must not expire sooner. @default 0 */
  lastsMs?: number;
}

/** Why an approval does not admit the update. */
export interface ApprovalRefusal {
  code: Extract<ErrorCode, `GP_APPROVAL_${string}`>;
  message: string;
  fix: string;
}

/** The verdict of {@link judgeApproval}. */
export type ApprovalJudgement =
  | { ok: true; approval: Approval; fingerprint: string }
  | ({ ok: false } & ApprovalRefusal);

/**
 * Judges an approval: it reads, its signature verifies over its payload in the
 * `glidepath-deploy` namespace, its key is listed for its principal (and was valid when it was
 * issued), it names this stack, the current verdict and that verdict's bundles, every bundle
 * the update deploys is one of them with the same digest, it has not expired, and its nonce has
 * not been consumed. The first rule broken decides the code.
 *
 * @param i - the approval and what it is judged against
 */
export function judgeApproval(i: JudgeInput): ApprovalJudgement {
  const reapprove = `run \`glidepath gate --stack ${i.stack}\` if needed, then have the release manager run \`glidepath approve --stack ${i.stack} --key <their key>\``;
  const refuse = (code: ApprovalRefusal["code"], what: string, fix = reapprove): ApprovalJudgement => ({
    ok: false,
    code,
    message: `production update of stack ${i.stack} refused: ${what}; nothing was changed`,
    fix,
  });
  if (i.approval === undefined) return refuse("GP_APPROVAL_MISSING", `there is no approval at ${i.file}`);
  const parsed = approvalFileSchema.safeParse(i.approval);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(
      "GP_APPROVAL_INVALID",
      `${i.file} is not an approval: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }
  const a = parsed.data;
  const p = a.payload;
  const sig = sshsigVerify(a.signature, approvalMessage(p));
  if (sig === undefined) return refuse("GP_APPROVAL_INVALID", `the signature of ${i.file} cannot be read`);
  if (sig.namespace !== DEPLOY_NAMESPACE)
    return refuse(
      "GP_APPROVAL_NAMESPACE",
      `the approval in ${i.file} is signed for namespace ${JSON.stringify(sig.namespace)}, not ${DEPLOY_NAMESPACE}`,
      `sign approvals with \`glidepath approve\` (or \`ssh-keygen -Y sign -n ${DEPLOY_NAMESPACE}\`); ${reapprove}`,
    );
  if (!sig.valid)
    return refuse(
      "GP_APPROVAL_INVALID",
      `the signature of ${i.file} by ${sig.fingerprint} does not verify over its payload (the file was edited after signing)`,
    );
  const listed = findSigner(i.signers, {
    fingerprint: sig.fingerprint,
    principal: p.signer,
    namespace: sig.namespace,
    at: new Date(p.issued),
  });
  if (listed.status === "unlisted")
    return refuse(
      "GP_APPROVAL_UNLISTED_SIGNER",
      `the approval is signed by ${JSON.stringify(p.signer)}, but ${listed.reason} in the allowed signers`,
      `only a key listed in glidepath.allowed_signers with namespaces="${DEPLOY_NAMESPACE}" approves production; add the release manager's line through review, or have a listed signer approve`,
    );
  if (listed.status === "expired") return refuse("GP_APPROVAL_EXPIRED", `the approval's ${listed.reason}`);
  if (p.stack !== i.stack)
    return refuse("GP_APPROVAL_DIGEST_MISMATCH", `the approval is for stack ${JSON.stringify(p.stack)}`);
  if (i.verdict === undefined)
    return refuse(
      "GP_APPROVAL_DIGEST_MISMATCH",
      `the approval names gate verdict ${p.verdictDigest.slice(0, 16)}…, and the stack has no verdict`,
    );
  const current = verdictDigest(i.verdict);
  if (p.verdictDigest !== current)
    return refuse(
      "GP_APPROVAL_DIGEST_MISMATCH",
      `the approval names gate verdict ${p.verdictDigest.slice(0, 16)}…, the stack's verdict is ${current.slice(0, 16)}…`,
    );
  const named = bundleDifference(p.bundles, i.verdict.bundles);
  if (named !== undefined)
    return refuse(
      "GP_APPROVAL_DIGEST_MISMATCH",
      `the approval's bundles differ from the verdict's: ${named}`,
    );
  for (const [key, digest] of Object.entries(i.bundles).sort(([x], [y]) => x.localeCompare(y))) {
    const approved = p.bundles[key];
    if (approved !== digest)
      return refuse(
        "GP_APPROVAL_DIGEST_MISMATCH",
        approved === undefined
          ? `bundle ${key} (${digest.slice(0, 16)}…) is deployed, and the approval does not name it`
          : `bundle ${key} is ${digest.slice(0, 16)}…, the approval names ${approved.slice(0, 16)}…`,
      );
  }
  if (i.now.getTime() >= new Date(p.expires).getTime())
    return refuse("GP_APPROVAL_EXPIRED", `the approval expired at ${p.expires} (now ${i.now.toISOString()})`);
  const end = new Date(i.now.getTime() + (i.lastsMs ?? 0));
  if (end.getTime() >= new Date(p.expires).getTime())
    return refuse(
      "GP_APPROVAL_EXPIRED",
      `the approval expires at ${p.expires}, before the ramp ends (about ${end.toISOString()})`,
      `have the release manager approve with a longer --expires (at most 24h), or ramp in fewer or shorter steps`,
    );
  if (i.consumed.has(p.nonce))
    return refuse(
      "GP_APPROVAL_REUSED",
      `the approval's nonce ${p.nonce} was already consumed by a production update (each approval admits one)`,
    );
  return { ok: true, approval: a, fingerprint: sig.fingerprint };
}

/** The first key on which two bundle maps differ, described; undefined when they are equal. */
function bundleDifference(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): string | undefined {
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[key] !== b[key])
      return `${key}: ${a[key]?.slice(0, 16) ?? "absent"}… in the approval, ${b[key]?.slice(0, 16) ?? "absent"}… in the verdict`;
  }
  return undefined;
}
