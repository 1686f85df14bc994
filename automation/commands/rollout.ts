/**
 * `glidepath rollout --stack S --version TAG [--apps a,b] [--steps 5,25,50,100] [--window 10m]
 * [--final-window 15m] [--min 99.0] [--interval 30s] [--slo-url URL] [--max-misses 3]`:
 * ramp the canary through SLO-gated steps; promote when every step passes, roll back on a
 * failure (exit 1). Re-run with the same version to resume a ramp an earlier driver left.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { defaultLocalRoot } from "../../infra/load-config";
import { writeArtifact } from "../lib/artifacts";
import { stackContext } from "../lib/context";
import { readClosing } from "../lib/driver/closing";
import { planRollout } from "../lib/driver/plan";
import { renderDriverEvent, renderRolloutReport } from "../lib/driver/render";
import { rolloutReportSchema } from "../lib/driver/report";
import { type DriverEvent, finishRamp, runRollout } from "../lib/driver/rollout";
import { withDriverLock } from "../lib/driver/session";
import { sloSourceFor } from "../lib/driver/slo-source";
import { GlidepathError } from "../lib/errors";
import { loadStackConfig } from "../lib/stack-config";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "rollout";
export const describe = "ramp a canary version through SLO-gated steps, then promote it or roll back";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("version", {
      type: "string",
      demandOption: true,
      describe: "canary version tag (bundles in apps/<app>/<version>)",
    })
    .option("apps", { type: "string", describe: "comma-separated apps (default: every app with a release)" })
    .option("steps", {
      type: "string",
      describe: "comma-separated weights, increasing, ending at 100 (default 5,25,50,100)",
    })
    .option("window", { type: "string", describe: "bake window of each step (default 10m)" })
    .option("final-window", { type: "string", describe: "bake window of the last step (default 15m)" })
    .option("min", { type: "number", describe: "minimum SLO score in percent (default 99.0)" })
    .option("interval", { type: "string", describe: "time between SLO samples (default 30s)" })
    .option("slo-url", { type: "string", describe: "HTTP SLO source returning JSON with a score" })
    .option("max-misses", {
      type: "number",
      describe: "consecutive failed samples before failing closed (default 3)",
    })
    .version(false);
}

const csv = z.string().transform((s) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

const args = stackArgs.extend({
  version: z.string().min(1, { error: "expected a version tag" }),
  apps: csv.optional(),
  steps: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, {
      error: "expected comma-separated integer weights such as 5,25,50,100",
    })
    .transform((s) => s.split(",").map((x) => Number(x.trim())))
    .optional(),
  window: z.string().optional(),
  finalWindow: z.string().optional(),
  min: z.number({ error: "expected a number" }).optional(),
  interval: z.string().optional(),
  sloUrl: z.string().optional(),
  maxMisses: z.number({ error: "expected an integer" }).optional(),
});

/** The runbook's badge URL, from the environment or secret config; never on the command line. */
function badgeUrl(config: Record<string, unknown>): string | undefined {
  const fromEnv = process.env.NOTION_SLO_BADGE_URL;
  if (fromEnv) return fromEnv;
  const fromConfig = config.NOTION_SLO_BADGE_URL;
  return typeof fromConfig === "string" && fromConfig !== "" ? fromConfig : undefined;
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({ stack: a.stack, projectDir: a.projectDir, progress: progressLine });
  const progress = (e: DriverEvent, steps: number) => progressLine(renderDriverEvent(e, steps));
  const report = await withDriverLock(ctx, `rollout ${a.version}`, async (logs) => {
    // Everything is read under the lock: another driver may have moved the stack before.
    // An unfinished closing phase of an earlier driver is finished first; otherwise the
    // request is planned (exit 2 on bad input) before any update.
    const closing = await readClosing(ctx.stack);
    const config = await loadStackConfig(ctx.stack);
    if (closing !== undefined) {
      progress({ type: "closing", phase: closing.phase, version: closing.version }, 0);
      return finishRamp(ctx, config, closing, logs, (e) => progress(e, 0));
    }
    const overrides = { ...a, badgeUrl: badgeUrl(config) };
    const plan = planRollout(a.stack, config, a.version, a.apps, overrides, ctx.projectDir);
    return runRollout(ctx, config, plan, {
      source: await sloSourceFor(plan.slo, plan.intervalMs, {
        stack: a.stack,
        projectDir: ctx.projectDir,
        localRoot: config.localRoot ?? defaultLocalRoot(ctx.projectDir, a.stack),
      }),
      swarm: logs.swarm,
      runtime: logs.runtime,
      onEvent: (e) => progress(e, plan.steps.length),
    });
  });
  await writeArtifact(ctx.projectDir, "artifacts/rollout-report.json", rolloutReportSchema.parse(report));
  emit(a.json, report, () => renderRolloutReport(report));
  if (report.outcome === "rolled_back") {
    throw new GlidepathError(
      "GP_GATE_FAILED",
      `the ramp of ${report.apps.join(", ")} to ${report.version} was rolled back: ${report.reason ?? "unknown reason"}`,
      `the stack is back on its last green state; \`glidepath history --stack ${a.stack}\` shows the gate verdicts`,
    );
  }
}
