/**
 * The program's own production check: a production stack refuses to run (preview or update)
 * unless the release manager's approval admits exactly the releases this config deploys. It
 * runs before the program declares a single resource, so a raw `pulumi up` or `pulumi preview`
 * of production without a valid approval fails and changes nothing, whatever flags it is given.
 * The program cannot consume a nonce (the driver does, after a successful update); it refuses
 * one the audit log records as consumed.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readApprovalInputs } from "../automation/lib/approval/inputs";
import { judgeApproval } from "../automation/lib/approval/payload";
import { digestDirSync } from "../providers/targets/bundle";
import type { ProgramConfig } from "./load-config";

/**
 * The releases a config deploys: `<app>@<version>` → digest of its source directory.
 *
 * @param config - the program's config
 */
export function releaseBundles(
  config: Pick<ProgramConfig, "releases" | "projectDir">,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [app, r] of Object.entries(config.releases)) {
    for (const ref of r.canary ? [r.stable, r.canary] : [r.stable])
      out[`${app}@${ref.version}`] = digestDirSync(path.resolve(config.projectDir, ref.source));
  }
  return out;
}

/**
 * Throws (stopping the program) when a production stack has no valid approval.
 *
 * @param config - the program's config
 * @param now - the time @default - now
 * @throws pulumi.RunError naming the approval's code, what is wrong and the fix
 */
export function requireProductionApproval(config: ProgramConfig, now: Date = new Date()): void {
  if (config.environment !== "production") return;
  const j = judgeApproval({
    ...readApprovalInputs(config.projectDir, config.stack),
    bundles: releaseBundles(config),
    now,
  });
  if (!j.ok) throw new pulumi.RunError(`${j.message} (${j.code})\nfix: ${j.fix}`);
}
