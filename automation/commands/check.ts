/**
 * `glidepath check --stack S [--version TAG] [--json-output artifacts/orchestrator-check.json]`:
 * preflight, a preview of the stack as configured, and (with a version) the planned ramp and
 * a preview of its first step. Applies nothing.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { artifactKind, checkArtifactTarget, writeArtifact } from "../lib/artifacts";
import { stackContext } from "../lib/context";
import { checkReportSchema, renderCheckReport, runCheck } from "../lib/driver/check";
import { loadStackConfigWithSecrets } from "../lib/stack-config";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "check";
export const describe = "preflight plus a preview of the stack and of the planned ramp; applies nothing";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("version", { type: "string", describe: "plan a ramp to this version and preview its first step" })
    .option("apps", { type: "string", describe: "comma-separated apps of the ramp" })
    .option("json-output", { type: "string", describe: "also write the report to this file" });
}

const args = stackArgs.extend({
  version: z.string().min(1).optional(),
  apps: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .optional(),
  jsonOutput: z.string().min(1).optional(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({ stack: a.stack, projectDir: a.projectDir, progress: progressLine });
  const kind = artifactKind({ schema: checkReportSchema.shape.schema.value });
  if (a.jsonOutput) await checkArtifactTarget(ctx.projectDir, a.jsonOutput, kind, { flag: "--json-output" });
  const { config, secretKeys } = await loadStackConfigWithSecrets(ctx.stack);
  const ramp = a.version ? { version: a.version, apps: a.apps, overrides: {} } : undefined;
  const report = await runCheck(ctx, config, process.env, secretKeys, ramp);
  if (a.jsonOutput) await writeArtifact(ctx.projectDir, a.jsonOutput, report, { flag: "--json-output" });
  emit(a.json, report, () => renderCheckReport(report));
}
