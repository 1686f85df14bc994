/**
 * `glidepath rollout --stack S --version TAG [--apps a,b] [--steps 5,25,50,100] [--window 10m]
 * [--final-window 15m] [--min 99.0] [--interval 30s] [--slo-url URL] [--max-misses 3]`:
 * ramp the canary through SLO-gated steps; promote when every step passes, roll back on a
 * failure (exit 1). Re-run with the same version to resume a ramp an earlier driver left.
 */
import type { Argv } from "yargs";
import { stackContext } from "../lib/context";
import { renderDriverEvent, renderRolloutReport } from "../lib/driver/render";
import { rolloutSession } from "../lib/driver/rollout-session";
import { errorJson } from "../lib/errors";
import { rampDurationLine } from "../lib/ramp-duration";
import { emit, parseArgs, progressLine, withStackOptions } from "./common";
import { rolloutArgs, rolloutOptions } from "./rollout-args";

export const command = "rollout";
export const describe = "ramp a canary version through SLO-gated steps, then promote it or roll back";

export function builder(y: Argv) {
  return rolloutOptions(withStackOptions(y));
}

const args = rolloutArgs;

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    changesStack: true,
  });
  const { report, error } = await rolloutSession(ctx, a, {
    progress: (e, steps) => progressLine(renderDriverEvent(e, steps)),
    planned: (plan) => progressLine(`ramp planned: ${rampDurationLine(plan)}`),
  });
  // One document on stdout with --json: a failed rollout's report carries the error.
  const document = error === undefined ? report : { ...report, error: errorJson(error) };
  emit(a.json, document, () => renderRolloutReport(report));
  if (error !== undefined) throw error;
}
