/**
 * `glidepath check`: everything a rollout would need, found out without applying anything —
 * the preflight, a preview of the stack as configured, and, for a version, the planned ramp
 * with a preview of its first step (run against a copy of the stack's config file).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import type { StackConfig } from "../../../infra/config";
import type { StackContext } from "../context";
import { badgeUrlOf, type PlannedRollout, planRollout, type RolloutOverrides } from "./plan";
import { preflightSummary, preflightSummarySchema } from "./preflight";
import { stepConfig } from "./ramp-config";
import { writeConfigKeys } from "./stack-file";

const changes = z.record(z.string(), z.number());

/** Schema of `artifacts/orchestrator-check.json`. */
export const checkReportSchema = z.strictObject({
  schema: z.literal("glidepath.orchestrator-check/v1"),
  stack: z.string(),
  preflight: preflightSummarySchema,
  /** Changes an `up` of the config as it is would make (all `same`: the stack is converged). */
  current: changes,
  ramp: z
    .strictObject({
      version: z.string(),
      apps: z.array(z.string()),
      steps: z.array(z.strictObject({ weight: z.number(), windowMs: z.number() })),
      intervalMs: z.number(),
      minSlo: z.number(),
      /** The plan's warnings for people, as `rollout` would print them (see `planWarnings`). */
      warnings: z.array(z.string()),
      /** Changes the first step's update would make. */
      firstStep: changes,
    })
    .nullable(),
});

/** The check report. */
export type CheckReport = z.infer<typeof checkReportSchema>;

/**
 * Runs the check.
 *
 * @param ctx - the opened stack
 * @param cfg - its validated config
 * @param env - environment variables (for the preflight)
 * @param secretKeys - config keys set as secrets
 * @param ramp - the version (and overrides) of a planned ramp; the badge URL comes from `env` or
 *   the config, as for `rollout`, unless the overrides give one @default - none: no ramp preview
 */
export async function runCheck(
  ctx: StackContext,
  cfg: StackConfig,
  env: Readonly<Record<string, string | undefined>>,
  secretKeys: ReadonlySet<string>,
  ramp?: { version: string; apps?: string[]; overrides: RolloutOverrides },
): Promise<CheckReport> {
  const preflight = preflightSummary(ctx.stack.name, cfg, env, secretKeys);
  const current = (await ctx.stack.preview()).changeSummary as Record<string, number>;
  let planned: PlannedRollout | undefined;
  let firstStep: Record<string, number> = {};
  if (ramp !== undefined) {
    const overrides = { badgeUrl: badgeUrlOf(env, cfg), ...ramp.overrides };
    planned = planRollout(ctx.stack.name, cfg, ramp.version, ramp.apps, overrides, ctx.projectDir);
    const weight = planned.steps[0] as number;
    const phase = stepConfig(cfg, {
      id: `${ramp.version}@check`,
      version: ramp.version,
      apps: planned.apps,
      step: 0,
      weight,
      startedAt: new Date().toISOString(),
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "glidepath-check-"));
    const file = path.join(dir, `Pulumi.${ctx.stack.name}.yaml`);
    try {
      await writeConfigKeys(path.join(ctx.projectDir, `Pulumi.${ctx.stack.name}.yaml`), file, { ...phase });
      firstStep = (await ctx.stack.preview({ configFile: file })).changeSummary as Record<string, number>;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  return checkReportSchema.parse({
    schema: "glidepath.orchestrator-check/v1",
    stack: ctx.stack.name,
    preflight,
    current,
    ramp: planned
      ? {
          version: planned.version,
          apps: planned.apps,
          steps: planned.steps.map((w, i) => ({
            weight: w,
            windowMs: i === planned.steps.length - 1 ? planned.finalWindowMs : planned.windowMs,
          })),
          intervalMs: planned.intervalMs,
          minSlo: planned.gate.minSlo,
          warnings: planned.warnings,
          firstStep,
        }
      : null,
  });
}

/** Change counts as `op:n op:n`. */
function changesText(c: Readonly<Record<string, number>>): string {
  return Object.entries(c)
    .map(([op, n]) => `${op}:${n}`)
    .join(" ");
}

/**
 * The check report for people (pure): preflight, current changes, the planned ramp and its
 * warnings, one per line.
 *
 * @param report - the report
 */
export function renderCheckReport(report: CheckReport): string {
  const { preflight, ramp } = report;
  return [
    `check ${report.stack}: config valid; secrets ${preflight.ok ? "present" : `missing: ${preflight.missing.join(", ")}`}`,
    `  an up now would change: ${changesText(report.current)}`,
    ramp
      ? `  ramp ${ramp.apps.join(", ")} → ${ramp.version}: ${ramp.steps.map((s) => `${s.weight}%/${s.windowMs / 1000}s`).join(" → ")}, min ${ramp.minSlo}; first step would change: ${changesText(ramp.firstStep)}`
      : "  no ramp planned (pass --version to preview one)",
    ...(ramp?.warnings ?? []).map((w) => `  warning: ${w}`),
  ].join("\n");
}
