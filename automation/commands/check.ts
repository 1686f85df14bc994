/**
 * `glidepath check --stack S [--version TAG] [--json-output artifacts/orchestrator-check.json]`:
 * preflight, a preview of the stack as configured, and (with a version) the planned ramp and
 * a preview of its first step. Applies nothing.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { writeArtifact } from "../lib/artifacts";
import { checkReportSchema, renderCheckReport, runCheck } from "../lib/driver/check";
import { rampDurationLine } from "../lib/ramp-duration";
import { emit, openForReport, parseArgs, stackArgs, withStackOptions } from "./common";

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
  const { ctx, config, secretKeys } = await openForReport(a, checkReportSchema.shape.schema.value);
  const ramp = a.version ? { version: a.version, apps: a.apps, overrides: {} } : undefined;
  const report = await runCheck(ctx, config, process.env, secretKeys, ramp);
  if (a.jsonOutput) await writeArtifact(ctx.projectDir, a.jsonOutput, report, { flag: "--json-output" });
  const steps = report.ramp?.steps ?? [];
  const timing = {
    steps: steps.map((s) => s.weight),
    windowMs: steps[0]?.windowMs ?? 0,
    finalWindowMs: steps.at(-1)?.windowMs ?? 0,
  };
  emit(a.json, report, () =>
    [
      renderCheckReport(report),
      ...(report.ramp ? [`  the ramp would take: ${rampDurationLine(timing)}`] : []),
    ].join("\n"),
  );
}
