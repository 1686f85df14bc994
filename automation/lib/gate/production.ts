/**
 * The production guardrails of the commands that update a stack: admission before any update
 * (`up`, `rollout` on a stack whose config says `glidepath:environment: production`), and the
 * `deploy` / `rollback` audit entries after it. Nothing here runs for other stacks.
 */

import * as path from "node:path";
import type { StackConfig } from "../../../infra/config";
import { digestDir } from "../../../providers/targets/bundle";
import type { AdmittedApproval } from "../approval/check";
import { appendAudit, auditFile } from "../audit/log-file";
import { canarySource } from "../driver/ramp-config";
import { admitProduction } from "./admit";
import { type StackRelease, stackBundles, stackParts } from "./bundles";
import { currentPolicyDigest } from "./policy";
import { buildId } from "./verdict";

/** A ramp about to start: its canary version and apps (their bundles are `apps/<app>/<version>`). */
export interface PlannedCanary {
  version: string;
  apps: readonly string[];
}

/**
 * The releases under judgment: the stack file's, plus the canaries of a ramp about to start.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param canary - the planned ramp @default - none
 */
export async function gateReleases(
  projectDir: string,
  stack: string,
  canary?: PlannedCanary,
): Promise<StackRelease[]> {
  const { releases } = await stackParts(projectDir, stack);
  const planned = (canary?.apps ?? []).map(
    (app): StackRelease => ({
      app,
      version: canary?.version as string,
      role: "canary",
      dir: path.resolve(projectDir, canarySource(app, canary?.version as string)),
    }),
  );
  const known = new Set(releases.map((r) => `${r.app}@${r.version}`));
  return [...releases, ...planned.filter((r) => !known.has(`${r.app}@${r.version}`))];
}

/**
 * The bundles under judgment: {@link stackBundles}, plus the canaries of a ramp about to start.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param canary - the planned ramp @default - none
 */
export async function gateBundles(
  projectDir: string,
  stack: string,
  canary?: PlannedCanary,
): Promise<Record<string, string>> {
  const out = await stackBundles(projectDir, stack);
  for (const app of canary?.apps ?? [])
    out[`${app}@${canary?.version}`] = (
      await digestDir(path.resolve(projectDir, canarySource(app, canary?.version as string)))
    ).digest;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** What an admitted production update records in its `deploy` entry. */
export interface Admission {
  bundles: Record<string, string>;
  buildId: string;
  verdictDigest: string;
}

/**
 * Admits an update of a production stack (see {@link admitProduction}); other stacks pass.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param config - its validated config
 * @param canary - the ramp about to start @default - none
 * @returns the admission, or undefined for a stack that is not production
 * @throws GlidepathError the admission's refusal (exit 2)
 */
export async function admitIfProduction(
  projectDir: string,
  stack: string,
  config: Pick<StackConfig, "environment" | "gate">,
  canary?: PlannedCanary,
): Promise<Admission | undefined> {
  if (config.environment !== "production") return undefined;
  const bundles = await gateBundles(projectDir, stack, canary);
  const policyDigest = await currentPolicyDigest(projectDir, stack, config.gate);
  const { digest } = await admitProduction({ projectDir, stack, bundles, policyDigest, now: new Date() });
  return { bundles, buildId: buildId(bundles), verdictDigest: digest };
}

/**
 * Records a production deploy's outcome in the stack's audit log.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param admission - what admitted it
 * @param result - how it ended
 * @param updateVersion - the update's number in the stack history @default - unknown
 * @param approval - the release manager's approval that admitted it @default - none recorded
 */
export async function recordDeploy(
  projectDir: string,
  stack: string,
  admission: Admission,
  result: "succeeded" | "failed" | "rolled-back",
  updateVersion?: number,
  approval?: AdmittedApproval,
): Promise<void> {
  const approved = approval
    ? { approval: { nonce: approval.approval.payload.nonce, signer: approval.approval.payload.signer } }
    : {};
  await appendAudit(auditFile(projectDir, stack), {
    kind: "deploy",
    data: {
      stack,
      result,
      ...(updateVersion === undefined ? {} : { updateVersion }),
      ...admission,
      ...approved,
    },
  });
}
