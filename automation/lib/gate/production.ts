/**
 * The production guardrails of the commands that update a stack: admission before any update
 * (`up`, `rollout` on a stack whose config says `glidepath:environment: production`), and the
 * `deploy` / `rollback` audit entries after it. Nothing here runs for other stacks.
 */

import * as path from "node:path";
import type { StackConfig } from "../../../infra/config";
import { digestDir } from "../../../providers/targets/bundle";
import { type AdmittedApproval, checkApproval } from "../approval/check";
import { appendAudit, auditFile } from "../audit/log-file";
import { writeDeployLog } from "../deploy-log/log-file";
import { deployLogSections } from "../deploy-log/sections";
import { canarySource } from "../driver/ramp-config";
import { isGlidepathError } from "../errors";
import { admitProduction } from "./admit";
import { type StackRelease, stackBundles, stackParts } from "./bundles";
import { currentPolicyDigest } from "./policy";
import { buildId, type GateVerdict } from "./verdict";

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

/** What admitted a production update; its `deploy` entry records all but the verdict itself. */
export interface Admission {
  bundles: Record<string, string>;
  buildId: string;
  verdictDigest: string;
  /** The verdict that admitted it (its checks go into the deploy log). */
  verdict: GateVerdict;
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
  const { verdict, digest } = await admitProduction({
    projectDir,
    stack,
    bundles,
    policyDigest,
    now: new Date(),
  });
  return { bundles, buildId: buildId(bundles), verdictDigest: digest, verdict };
}

/** Options of {@link admitUpdate}. */
export interface AdmitUpdateOptions {
  /** The project directory. */
  projectDir: string;
  /** The stack. */
  stack: string;
  /** Its validated config. */
  config: Pick<StackConfig, "environment" | "gate">;
  /** The command asking (`up`, `rollout`), for the refusal's entry. */
  command: string;
  /** The ramp about to start. @default - none */
  canary?: PlannedCanary;
  /** How long the updates take (a ramp's bake): the approval must outlive them. @default 0 */
  lastsMs?: number;
}

/**
 * Everything a production update needs before it starts: a fresh PASS of the deploy gate for
 * exactly these bundles ({@link admitIfProduction}) and the release manager's approval of that
 * verdict (`checkApproval`). A refusal of a production update is recorded in the audit log (a
 * `refusal` entry naming the command, the code and why) before it is thrown, so an attempt that
 * changed nothing still leaves its trace; a log that cannot take the entry does not hide the
 * refusal.
 *
 * @param o - the stack, its config, the command and the ramp
 * @returns what admitted it (both undefined off production)
 * @throws GlidepathError the refusal's `GP_GATE_*` / `GP_APPROVAL_*` code (exit 2)
 */
export async function admitUpdate(
  o: AdmitUpdateOptions,
): Promise<{ admission?: Admission; approval?: AdmittedApproval }> {
  let bundles: Record<string, string> | undefined;
  try {
    const admission = await admitIfProduction(o.projectDir, o.stack, o.config, o.canary);
    bundles = admission?.bundles;
    const approval = await checkApproval({
      projectDir: o.projectDir,
      stack: o.stack,
      ...(bundles ? { bundles } : {}),
      ...(o.lastsMs === undefined ? {} : { lastsMs: o.lastsMs }),
    });
    return { admission, approval };
  } catch (e) {
    if (o.config.environment === "production" && isGlidepathError(e)) {
      await appendAudit(auditFile(o.projectDir, o.stack), {
        kind: "refusal",
        data: {
          stack: o.stack,
          command: o.command,
          code: e.code,
          message: e.message,
          ...(bundles ? { buildId: buildId(bundles) } : {}),
          ...(o.canary ? { canary: `${o.canary.version}:${[...o.canary.apps].join(",")}` } : {}),
        },
      }).catch(() => undefined);
    }
    throw e;
  }
}

/** A production deploy's outcome, as {@link recordDeploy} records it. */
export interface DeployRecord {
  /** The project directory. */
  projectDir: string;
  /** The stack. */
  stack: string;
  /** What admitted it. */
  admission: Admission;
  /** How it ended. */
  result: "succeeded" | "failed" | "rolled-back";
  /** The command that ran it (`up`, `rollout`). */
  command: string;
  /** The update's number in the stack history. @default - unknown */
  updateVersion?: number;
  /** The release manager's approval that admitted it. @default - none recorded */
  approval?: AdmittedApproval;
  /** What the command adds to the deploy log's update section. @default - nothing */
  details?: Record<string, unknown>;
}

/**
 * Records a production deploy's outcome: writes its deploy log (gate output, approval, update;
 * never a secret), then appends the `deploy` audit entry that carries the log's digest
 * (`deployLogDigest`), so `glidepath history --build` finds the log and an edit of it shows.
 *
 * @param r - the deploy and how it ended
 */
export async function recordDeploy(r: DeployRecord): Promise<void> {
  const { verdict, ...admitted } = r.admission;
  const payload = r.approval?.approval.payload;
  const approval = payload
    ? {
        signer: payload.signer,
        nonce: payload.nonce,
        expires: payload.expires,
        fingerprint: r.approval?.fingerprint as string,
      }
    : undefined;
  const log = await writeDeployLog({
    projectDir: r.projectDir,
    stack: r.stack,
    buildId: admitted.buildId,
    sections: deployLogSections({
      verdict,
      verdictDigest: admitted.verdictDigest,
      result: r.result,
      command: r.command,
      bundles: admitted.bundles,
      ...(approval ? { approval } : {}),
      ...(r.updateVersion === undefined ? {} : { updateVersion: r.updateVersion }),
      ...(r.details ? { details: r.details } : {}),
    }),
  });
  await appendAudit(auditFile(r.projectDir, r.stack), {
    kind: "deploy",
    data: {
      stack: r.stack,
      result: r.result,
      ...(r.updateVersion === undefined ? {} : { updateVersion: r.updateVersion }),
      ...admitted,
      ...(payload ? { approval: { nonce: payload.nonce, signer: payload.signer } } : {}),
      deployLogDigest: log.digest,
    },
  });
}
