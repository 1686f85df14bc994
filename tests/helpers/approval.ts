/**
 * Fixtures of the deploy-approval tests: a passing gate verdict for given bundles (what
 * `glidepath gate` writes), written where the stack's checks read it, and an approval of it.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { approvalFile } from "../../automation/lib/approval/inputs";
import { DEPLOY_NAMESPACE, makeApproval } from "../../automation/lib/approval/payload";
import { stackBundles } from "../../automation/lib/gate/bundles";
import { currentPolicyDigest } from "../../automation/lib/gate/policy";
import { GATE_VERDICT_SCHEMA, type GateVerdict, gateVerdictFile } from "../../automation/lib/gate/verdict";
import { allowedSignerLine } from "../../automation/lib/signing/keys";
import { gateConfigSchema } from "../../infra/gate-config";

/**
 * A PASS verdict of `stack` over `bundles`.
 *
 * @param stack - the stack
 * @param bundles - bundle key → SHA-256 hex
 * @param time - when the gate ran @default - now
 * @param policyDigest - the gate policy's digest @default - a fixed fixture value
 */
export function passVerdict(
  stack: string,
  bundles: Record<string, string>,
  time = new Date(),
  policyDigest = "a".repeat(64),
): GateVerdict {
  return {
    schema: GATE_VERDICT_SCHEMA,
    stack,
    result: "PASS",
    time: time.toISOString(),
    ttlSeconds: 3600,
    bundles,
    policyDigest,
    evidence: {},
    checks: [{ id: "config", title: "the stack's config is valid", status: "PASS", detail: "fixture" }],
  };
}

/**
 * A PASS verdict the production admission accepts for the stack as it is: its current bundles
 * and the digest of its gate policy (default gate settings, the baseline file if any).
 *
 * @param projectDir - the project
 * @param stack - the stack
 */
export async function admittedVerdict(projectDir: string, stack: string): Promise<GateVerdict> {
  const policy = await currentPolicyDigest(projectDir, stack, gateConfigSchema.parse({}));
  return passVerdict(stack, await stackBundles(projectDir, stack), new Date(), policy);
}

/**
 * Writes a verdict to its file.
 *
 * @param file - the verdict file (`gateVerdictFile(projectDir, stack)`)
 * @param verdict - the verdict
 */
export async function writeVerdict(file: string, verdict: GateVerdict): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(verdict, null, 2)}\n`);
}

/**
 * Makes `stack` of a scratch project deployable to production in a test: a release manager key
 * listed in the project's allowed signers, a PASS verdict of the stack's current bundles and the
 * key's approval of it, each where the checks read them.
 *
 * @param projectDir - the project
 * @param stack - the stack
 * @param backendUrl - the backend the project's commands use
 * @returns the approval's nonce
 */
export async function approveForTest(projectDir: string, stack: string, backendUrl: string): Promise<string> {
  const key = generateKeyPairSync("ed25519").privateKey;
  const signer = "rm@example.com";
  await fs.writeFile(
    path.join(projectDir, "glidepath.allowed_signers"),
    `${allowedSignerLine(signer, key, [DEPLOY_NAMESPACE])}\n`,
  );
  const verdict = await admittedVerdict(projectDir, stack);
  await writeVerdict(gateVerdictFile(projectDir, stack, backendUrl), verdict);
  const approval = makeApproval({ stack, verdict, signer, key, validMs: 3_600_000 });
  const file = approvalFile(projectDir, stack, { PULUMI_BACKEND_URL: backendUrl });
  await fs.writeFile(file, `${JSON.stringify(approval, null, 2)}\n`);
  return approval.payload.nonce;
}
