/**
 * Signed acceptance of a baseline: the release manager's SSHSIG (namespace `glidepath-baseline`)
 * over the stack and the SHA-256 of the baseline's exact bytes, kept beside it as
 * `deploy_baseline.accept.json`. Any byte of the baseline changed afterwards (a hand edit, a
 * regeneration) leaves the acceptance signing other bytes, and the gate fails until someone
 * listed in the allowed signers accepts the new file. Pure.
 */
import { createHash, type KeyObject } from "node:crypto";
import { z } from "zod";
import { type AllowedSigner, findSigner } from "../signing/allowed-signers";
import { sshsigSign, sshsigVerify } from "../signing/sshsig";

/** The namespace of baseline acceptances (a signature for another purpose never counts). */
export const BASELINE_NAMESPACE = "glidepath-baseline";

/** Schema of the acceptance file. */
export const acceptanceSchema = z.strictObject({
  schema: z.literal("glidepath.baseline-accept/v1"),
  stack: z.string().min(1),
  /** SHA-256 hex of the accepted baseline's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Who accepted it (a principal of the allowed signers). */
  signer: z.string().min(1),
  /** When (ISO 8601; signed). */
  time: z.iso.datetime(),
  /** SSHSIG (base64) over {@link acceptanceMessage}. */
  signature: z.string().min(1),
});

/** An acceptance. */
export type Acceptance = z.infer<typeof acceptanceSchema>;

/**
 * The exact text an acceptance signs.
 *
 * @param a - stack, digest, signer and time
 */
export function acceptanceMessage(a: Pick<Acceptance, "stack" | "sha256" | "signer" | "time">): string {
  return `glidepath baseline acceptance v1\nstack ${a.stack}\nsha256 ${a.sha256}\nsigner ${a.signer}\ntime ${a.time}\n`;
}

/**
 * SHA-256 hex of a baseline's bytes.
 *
 * @param bytes - the baseline file's bytes
 */
export function baselineDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Signs the acceptance of a baseline.
 *
 * @param stack - the stack
 * @param bytes - the baseline's bytes
 * @param signer - the principal
 * @param key - the signer's Ed25519 private key
 * @param now - the time @default - now
 */
export function signAcceptance(
  stack: string,
  bytes: Uint8Array,
  signer: string,
  key: KeyObject,
  now: Date = new Date(),
): Acceptance {
  const body = { stack, sha256: baselineDigest(bytes), signer, time: now.toISOString() };
  const signature = sshsigSign(acceptanceMessage(body), BASELINE_NAMESPACE, key);
  return { schema: "glidepath.baseline-accept/v1", ...body, signature };
}

/**
 * Why an acceptance does not cover a baseline, or undefined when it does: same stack, same
 * bytes, a valid signature in the baseline namespace by a key the allowed signers list for
 * that principal, namespace and time.
 *
 * @param acceptance - the acceptance (parsed)
 * @param stack - the stack
 * @param bytes - the baseline's bytes now
 * @param signers - the allowed signers
 */
export function acceptanceProblem(
  acceptance: Acceptance,
  stack: string,
  bytes: Uint8Array,
  signers: readonly AllowedSigner[],
): string | undefined {
  if (acceptance.stack !== stack) return `the acceptance is for stack ${JSON.stringify(acceptance.stack)}`;
  const now = baselineDigest(bytes);
  if (acceptance.sha256 !== now)
    return `the baseline was changed after it was accepted (accepted sha256 ${acceptance.sha256.slice(0, 12)}…, now ${now.slice(0, 12)}…)`;
  const sig = sshsigVerify(acceptance.signature, acceptanceMessage(acceptance));
  if (sig === undefined) return "the acceptance's signature cannot be read";
  if (sig.namespace !== BASELINE_NAMESPACE)
    return `the acceptance is signed for namespace ${JSON.stringify(sig.namespace)}, not ${BASELINE_NAMESPACE}`;
  if (!sig.valid) return `the acceptance's signature by ${sig.fingerprint} does not verify`;
  const verdict = findSigner(signers, {
    fingerprint: sig.fingerprint,
    principal: acceptance.signer,
    namespace: BASELINE_NAMESPACE,
    at: new Date(acceptance.time),
  });
  return verdict.status === "ok"
    ? undefined
    : `accepted by ${JSON.stringify(acceptance.signer)}: ${verdict.reason}`;
}
