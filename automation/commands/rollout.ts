/**
 * `glidepath rollout --stack S --version TAG [--apps a,b] [--steps 5,25,50,100] [--window 10m]
 * [--final-window 15m] [--min 99.0] [--interval 30s] [--slo-url URL] [--max-misses 3]`:
 * ramp the canary through SLO-gated steps; promote when every step passes, roll back on a
 * failure (exit 1). Re-run with the same version to resume a ramp an earlier driver left.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Argv } from "yargs";
import { z } from "zod";
import { stackContext } from "../lib/context";
import { planRollout } from "../lib/driver/plan";
import { renderDriverEvent, renderRolloutReport } from "../lib/driver/render";
import { runRollout } from "../lib/driver/rollout";
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

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({ stack: a.stack, projectDir: a.projectDir, progress: progressLine });
  const config = await loadStackConfig(ctx.stack);
  const plan = planRollout(a.stack, config, a.version, a.apps, a, ctx.projectDir);
  const source = sloSourceFor(plan.slo, plan.intervalMs, a.stack);
  const report = await withDriverLock(ctx, `rollout ${a.version}`, async (logs) => {
    // Read again under the lock: another driver may have moved the stack since.
    const current = await loadStackConfig(ctx.stack);
    const locked = planRollout(a.stack, current, a.version, a.apps, a, ctx.projectDir);
    return runRollout(ctx, current, locked, {
      source,
      swarm: logs.swarm,
      runtime: logs.runtime,
      onEvent: (e) => progressLine(renderDriverEvent(e, locked.steps.length)),
    });
  });
  const file = path.join(ctx.projectDir, "artifacts", "rollout-report.json");
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  emit(a.json, report, () => renderRolloutReport(report));
  if (report.outcome === "rolled_back") {
    throw new GlidepathError(
      "GP_GATE_FAILED",
      `the ramp of ${report.apps.join(", ")} to ${report.version} was rolled back: ${report.reason ?? "unknown reason"}`,
      `the stack is back on its last green state; \`glidepath history --stack ${a.stack}\` shows the gate verdicts`,
    );
  }
}
