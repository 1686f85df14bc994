/**
 * `glidepath approve --stack S --key FILE [--expires 2h] [--principal P] [--output F]`: the
 * release manager's approval of the stack's current gate verdict: an SSHSIG signature
 * (namespace `glidepath-deploy`) over the stack, the verdict's bundle digests, the verdict's
 * digest, an expiry and a fresh nonce, written beside the verdict and recorded as an `approval`
 * audit entry of action `created`. The key is read from its file into memory only. A verdict of a
 * ramp (`gate --version V`) is approved with its canary bundles, checked against their sources.
 */
import * as path from "node:path";
import type { Argv } from "yargs";
import { z } from "zod";
import { durationMs } from "../../infra/rollout-config";
import { approvalRecord } from "../lib/approval/consumed";
import { approvalFile, readVerdict } from "../lib/approval/inputs";
import { DEPLOY_NAMESPACE, MAX_APPROVAL_MS, makeApproval } from "../lib/approval/payload";
import { writeFileAtomic } from "../lib/atomic-write";
import { appendAudit, auditFile } from "../lib/audit/log-file";
import { GlidepathError } from "../lib/errors";
import { stackBundles } from "../lib/gate/bundles";
import { gateBundles } from "../lib/gate/production";
import { gateVerdictFile } from "../lib/gate/verdict";
import { findSigner, matchPattern } from "../lib/signing/allowed-signers";
import { ALLOWED_SIGNERS_FILE, loadAllowedSigners, loadSigningKey } from "../lib/signing/keys";
import { ed25519Blob, fingerprintOf } from "../lib/signing/ssh-wire";
import { emit, openProjectOf, parseArgs, stackArgs, withStackOptions } from "./common";

export const command = "approve";
export const describe =
  "sign the release manager's approval of the stack's current gate verdict (one production update, until it expires)";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("key", {
      type: "string",
      describe: "PEM Ed25519 private key of a listed signer (default: $GLIDEPATH_SIGNING_KEY_FILE)",
    })
    .option("expires", {
      type: "string",
      default: "2h",
      requiresArg: true,
      describe: "how long the approval is valid, e.g. 30m or 2h (at most 24h)",
    })
    .option("principal", {
      type: "string",
      describe: "who signs, as listed in the allowed signers (default: the key's listed principal)",
    })
    .option("output", {
      type: "string",
      describe: "where to write it (default: approval.json beside the stack's gate verdict)",
    });
}

const args = stackArgs.extend({
  key: z.string().min(1).optional(),
  expires: z
    .string()
    .regex(/^[1-9]\d*(ms|s|m|h)$/, { error: "expected a duration such as 30m or 2h" })
    .refine((t) => durationMs(t) <= MAX_APPROVAL_MS, { error: "expected at most 24h" }),
  principal: z
    .string()
    .regex(/^[^\s,"*?]+$/, { error: "expected a principal without spaces, commas, quotes or wildcards" })
    .optional(),
  output: z.string().min(1).optional(),
});

/**
 * The bundles as they are now of what the verdict judged: the stack file's, plus, for a verdict
 * of a ramp (`gate --version V`), the canary releases `<app>@V` it names beyond them.
 */
async function judgedBundles(
  projectDir: string,
  stack: string,
  judged: Record<string, string>,
): Promise<Record<string, string>> {
  const now = await stackBundles(projectDir, stack);
  const canaries = Object.keys(judged)
    .filter((k) => !(k in now))
    .map((k) => /^([a-z][a-z0-9-]*)@([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(k));
  const versions = new Set(canaries.map((m) => m?.[2]));
  const version = [...versions][0];
  if (canaries.length === 0 || versions.size !== 1 || version === undefined) return now;
  return gateBundles(projectDir, stack, { version, apps: canaries.map((m) => m?.[1] as string).sort() });
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const projectDir = await openProjectOf(a);
  const key = await loadSigningKey(a.key);
  const fingerprint = fingerprintOf(ed25519Blob(key));
  const signersFile = path.join(projectDir, ALLOWED_SIGNERS_FILE);
  const { signers } = await loadAllowedSigners(signersFile);
  const now = new Date();
  const principal =
    a.principal ??
    signers
      .filter(
        (s) =>
          s.fingerprint === fingerprint &&
          (s.namespaces === undefined || s.namespaces.some((n) => matchPattern(n, DEPLOY_NAMESPACE))),
      )
      .flatMap((s) => s.principals)
      .find((p) => !/[*?]/.test(p));
  const listed =
    principal === undefined
      ? { status: "unlisted" as const, reason: `key ${fingerprint} is not listed for ${DEPLOY_NAMESPACE}` }
      : findSigner(signers, { fingerprint, principal, namespace: DEPLOY_NAMESPACE, at: now });
  if (listed.status !== "ok" || principal === undefined)
    throw new GlidepathError(
      listed.status === "expired" ? "GP_APPROVAL_EXPIRED" : "GP_APPROVAL_UNLISTED_SIGNER",
      `${signersFile}: ${listed.status === "ok" ? "no principal" : listed.reason}; no approval was written`,
      `add the release manager's line (\`glidepath audit signer --key FILE --principal NAME\`, with namespaces="glidepath-audit,${DEPLOY_NAMESPACE}") to ${ALLOWED_SIGNERS_FILE} through review, or sign with a listed key`,
    );
  const verdictFile = gateVerdictFile(projectDir, a.stack);
  const verdict = readVerdict(projectDir, a.stack);
  if (verdict === undefined || verdict.result !== "PASS" || verdict.stack !== a.stack)
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `${verdictFile}: ${verdict === undefined ? "there is no gate verdict that reads as one" : verdict.stack !== a.stack ? `the verdict is for stack ${verdict.stack}` : "the gate verdict is FAIL"}; only a passing verdict is approved, and no approval was written`,
      `run \`glidepath gate --stack ${a.stack}\` and approve once it passes`,
    );
  const bundles = await judgedBundles(projectDir, a.stack, verdict.bundles);
  const changed = Object.keys({ ...bundles, ...verdict.bundles }).find(
    (k) => bundles[k] !== verdict.bundles[k],
  );
  if (changed !== undefined)
    throw new GlidepathError(
      "GP_APPROVAL_DIGEST_MISMATCH",
      `bundle ${changed} is ${bundles[changed]?.slice(0, 16) ?? "absent"}… now, the gate verdict judged ${verdict.bundles[changed]?.slice(0, 16) ?? "absent"}…; no approval was written`,
      `run \`glidepath gate --stack ${a.stack}\` again for what is deployed now, then approve`,
    );
  const approval = makeApproval({
    stack: a.stack,
    verdict,
    signer: principal,
    key,
    validMs: durationMs(a.expires),
    now,
  });
  const file = path.resolve(a.output ?? approvalFile(projectDir, a.stack));
  await writeFileAtomic(file, `${JSON.stringify(approval, null, 2)}\n`);
  const head = await appendAudit(auditFile(projectDir, a.stack), approvalRecord(approval, "created"));
  const p = approval.payload;
  emit(
    a.json,
    { file, fingerprint, ...p, audit: head },
    () =>
      `${file}: approval of stack ${a.stack} by ${principal} (${fingerprint}) for verdict ${p.verdictDigest.slice(0, 16)}…, ${Object.keys(p.bundles).length} bundles, until ${p.expires}; nonce ${p.nonce}`,
  );
}
