/**
 * The program's own production check: a production stack refuses to run (preview or update)
 * unless the release manager's approval admits exactly the releases this config deploys. It
 * runs before the program declares a single resource, so a raw `pulumi up` or `pulumi preview`
 * of production without a valid approval fails and changes nothing, whatever flags it is given.
 * The program cannot consume a nonce (the driver does, after a successful update); it refuses
 * one the audit log records as consumed. A rollback to a golden tag (`GLIDEPATH_GOLDEN_RESTORE`)
 * is admitted instead when it restores exactly that tag's approved, verified bundles.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { judgeProductionUpdate } from "../automation/lib/approval/golden-restore";
import { readApprovalInputs, readGoldenRestore } from "../automation/lib/approval/inputs";
import { RECORDS_PULLED_ENV, sharesRecords } from "../automation/lib/audit/log-file";
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
  pullSharedRecords(config);
  const j = judgeProductionUpdate(
    { ...readApprovalInputs(config.projectDir, config.stack), bundles: releaseBundles(config), now },
    readGoldenRestore(config.projectDir, config.stack),
  );
  if (!j.ok) throw new pulumi.RunError(`${j.message} (${j.code})\nfix: ${j.fix}`);
}

/**
 * On a `postgres://` backend, brings the checkout's mirror of the stack's guardrail records up to
 * the database before judging (a nonce another machine consumed is then seen here too), unless
 * the glidepath command that runs this engine pulled them under the driver lock already
 * (`RECORDS_PULLED_ENV`). The program cannot await, so a child process pulls.
 *
 * @throws pulumi.RunError when the records cannot be read: nothing is judged on a stale copy
 */
function pullSharedRecords(config: Pick<ProgramConfig, "projectDir" | "stack">): void {
  if (!sharesRecords(process.env.PULUMI_BACKEND_URL) || process.env[RECORDS_PULLED_ENV] === "1") return;
  try {
    execFileSync(
      process.execPath,
      [
        path.join(__dirname, "..", "automation", "lib", "audit", "pull-mirror-main.js"),
        config.projectDir,
        config.stack,
      ],
      { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 },
    );
  } catch (e) {
    const why = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
    throw new pulumi.RunError(
      `the guardrail records of stack "${config.stack}" could not be read from the PostgreSQL backend, so no approval is judged (GP_AUDIT_SHARED_FAILED): ${why}\nfix: check that the backend is reachable from here, then retry`,
    );
  }
}
