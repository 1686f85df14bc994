/**
 * The driver's approval check: before any update of a production stack, the release manager's
 * approval must admit exactly what is about to be deployed; after a successful update its nonce
 * is consumed (an `approval` audit entry of action `consumed`), so the same approval never
 * admits a second update.
 */
import { appendAudit, auditFile } from "../audit/log-file";
import { GlidepathError } from "../errors";
import { stackBundles } from "../gate/bundles";
import { approvalRecord } from "./consumed";
import { isProductionStack, readApprovalInputs } from "./inputs";
import { type Approval, judgeApproval } from "./payload";

/** An approval that admitted an update, to be consumed once the update succeeded. */
export interface AdmittedApproval {
  /** The project directory. */
  projectDir: string;
  /** The approval. */
  approval: Approval;
  /** The signing key's fingerprint. */
  fingerprint: string;
}

/** Options of {@link checkApproval}. */
export interface CheckApprovalOptions {
  /** The project directory. */
  projectDir: string;
  /** The stack. */
  stack: string;
  /** The bundles the update deploys. @default - `stackBundles(projectDir, stack)` */
  bundles?: Record<string, string>;
  /** Now. @default - the current time */
  now?: Date;
  /** How long the updates take (a ramp's bake): the approval must outlive them. @default 0 */
  lastsMs?: number;
  /** The environment. @default - `process.env` */
  env?: NodeJS.ProcessEnv;
}

/**
 * Refuses a production update that no valid approval admits. A stack that is not production
 * needs none.
 *
 * @param o - stack, project, bundles, time
 * @returns the admitting approval (consume it after the update), or undefined off production
 * @throws GlidepathError `GP_APPROVAL_MISSING`, `GP_APPROVAL_INVALID`, `GP_APPROVAL_UNLISTED_SIGNER`,
 *   `GP_APPROVAL_NAMESPACE`, `GP_APPROVAL_DIGEST_MISMATCH`, `GP_APPROVAL_EXPIRED`,
 *   `GP_APPROVAL_REUSED` (exit 2), before any update
 */
export async function checkApproval(o: CheckApprovalOptions): Promise<AdmittedApproval | undefined> {
  if (!isProductionStack(o.projectDir, o.stack)) return undefined;
  const inputs = readApprovalInputs(o.projectDir, o.stack, o.env);
  const bundles = o.bundles ?? (await stackBundles(o.projectDir, o.stack));
  const j = judgeApproval({ ...inputs, bundles, now: o.now ?? new Date(), lastsMs: o.lastsMs });
  if (!j.ok) throw new GlidepathError(j.code, j.message, j.fix);
  return { projectDir: o.projectDir, approval: j.approval, fingerprint: j.fingerprint };
}

/**
 * Consumes an approval after the update it admitted succeeded: appends its `consumed` entry to
 * the stack's audit log. Nothing to do off production.
 *
 * @param admitted - what {@link checkApproval} returned
 * @param env - the environment @default - `process.env`
 */
export async function consumeApproval(
  admitted: AdmittedApproval | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (admitted === undefined) return;
  const { payload } = admitted.approval;
  await appendAudit(
    auditFile(admitted.projectDir, payload.stack, env.PULUMI_BACKEND_URL),
    approvalRecord(admitted.approval, "consumed"),
  );
}
