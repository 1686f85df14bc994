/**
 * `glidepath gate --stack S [--version V --apps a,b] [--json]`: the deploy gate. Runs every check
 * a production release must pass, prints each with PASS or FAIL, writes the verdict beside the
 * stack's audit log and records a `gate` audit entry. Exit 0 on PASS, 1 on FAIL.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { GlidepathError } from "../lib/errors";
import { stackParts } from "../lib/gate/bundles";
import { runGate } from "../lib/gate/run";
import { emit, openExistingStack, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "gate";
export const describe = "run the deploy gate's checks and record the verdict a production update needs";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("version", {
      type: "string",
      describe: "also judge this canary version (the ramp `rollout --version` starts)",
    })
    .option("apps", {
      type: "string",
      describe: "with --version: the apps to ramp, comma-separated (default: every app with a release)",
    });
}

const args = stackArgs.extend({
  version: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "expected a version tag" })
    .optional(),
  apps: z
    .string()
    .regex(/^[a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*$/, { error: "expected app names, comma-separated" })
    .optional(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await openExistingStack(a);
  let canary: { version: string; apps: string[] } | undefined;
  if (a.version !== undefined) {
    const apps = a.apps?.split(",") ?? [
      ...new Set((await stackParts(ctx.projectDir, a.stack)).releases.map((r) => r.app)),
    ];
    canary = { version: a.version, apps: apps.sort() };
  }
  const run = await runGate({
    projectDir: ctx.projectDir,
    stack: ctx.stack,
    canary,
    onCheck: a.json ? undefined : (r) => progressLine(`${r.status.padEnd(4)} ${r.id}: ${r.detail}`),
  });
  const v = run.verdict;
  emit(
    a.json,
    { ...v, verdictDigest: run.verdictDigest, buildId: run.buildId, file: run.file },
    () =>
      `gate ${v.result} for stack ${a.stack}, build ${run.buildId} (verdict ${run.verdictDigest.slice(0, 12)}…, ${run.file})`,
  );
  if (v.result !== "PASS")
    throw new GlidepathError(
      "GP_GATE_FAILED",
      `the deploy gate failed for stack "${a.stack}": ${v.checks
        .filter((c) => c.status === "FAIL")
        .map((c) => c.id)
        .join(", ")}`,
      `fix what each FAIL names, then run \`glidepath gate --stack ${a.stack}\` again`,
    );
}
