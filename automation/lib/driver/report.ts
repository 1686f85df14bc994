/**
 * The rollout report (`glidepath rollout --json`, and `artifacts/rollout-report.json`): what
 * each step did and how the ramp ended. The schema is exported so the artifact can be checked
 * by anyone reading it; the driver validates every report before writing it.
 */
import { z } from "zod";
import { sloSummarySchema } from "../events/schema";

/** One judged step. */
export const stepReportSchema = z.strictObject({
  step: z.number().int().min(0),
  weight: z.number().int().min(1).max(100),
  /** The update message of the step (absent when resumed onto an applied step). */
  update: z.string().optional(),
  verdict: z.enum(["pass", "fail", "insufficient_traffic"]),
  reason: z.string().optional(),
  /** Per app: samples, misses, min and last score. */
  slo: z.record(z.string(), sloSummarySchema),
  bakeMs: z.number().min(0),
  /** When the bake window opened and closed (epoch ms). */
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** Time to write the step's config and run its update (ms); absent for a resumed step. */
  applyMs: z.number().min(0).optional(),
});

/** Schema of the rollout report. */
export const rolloutReportSchema = z.strictObject({
  stack: z.string(),
  rampId: z.string(),
  version: z.string(),
  apps: z.array(z.string()),
  /**
   * `promoted`; `rolled_back` (the stack is on its last green state); `rollback_failed` (a
   * canary may still be live: see `error`); `not_started` (refused or stopped before any
   * update: nothing changed).
   */
  outcome: z.enum(["promoted", "rolled_back", "rollback_failed", "not_started"]),
  resumed: z.boolean(),
  steps: z.array(stepReportSchema),
  /** Why the ramp was rolled back. */
  reason: z.string().optional(),
  /**
   * What rolled it back: the gate's verdict (`gate`, exit 1 `GP_GATE_FAILED`), an error
   * (`error`: a failed update or promotion, a conflicting config edit, glidepath itself; exit 1
   * `GP_RAMP_ABORTED`) or a signal (`signal`, exit 130/143).
   */
  cause: z.enum(["gate", "error", "signal"]).optional(),
  /**
   * The rollback: the update restored, its message, and the time from the failing sample (or
   * failed update) to the target converged on the last green state (ms).
   */
  rollback: z
    .strictObject({ restored: z.number().int(), message: z.string(), fromFailureMs: z.number() })
    .optional(),
  /** The promotion update message. */
  promotion: z.string().optional(),
  /** The signal that interrupted the driver. */
  interrupted: z.enum(["SIGINT", "SIGTERM"]).optional(),
  /** The error that ended the rollout, when one did (never a secret). */
  error: z
    .strictObject({
      code: z.string(),
      message: z.string(),
      fix: z.string(),
      /** The exit code, in the report `rollout --json` prints on stdout. @default - absent in the artifact */
      exitCode: z.number().int().optional(),
    })
    .optional(),
  /** The gate the steps were judged by, and the SLO source (its URL redacted). */
  gate: z
    .looseObject({ minSlo: z.number(), maxMisses: z.number(), minRequests: z.number(), mode: z.string() })
    .extend({ source: z.string() })
    .optional(),
  /** Whether the ramp was started on a failing stack with `--override-hold`. */
  overrideHold: z.boolean().optional(),
});

/** One judged step. */
export type StepReport = z.infer<typeof stepReportSchema>;
/** The outcome of a rollout. */
export type RolloutReport = z.infer<typeof rolloutReportSchema>;

/**
 * What a production deploy log records of a ramp: its id, version, outcome, each step's weight
 * and verdict, and how it closed (no SLO source, no samples).
 *
 * @param r - the ramp's report
 */
export function rampDetails(r: RolloutReport): Record<string, unknown> {
  return {
    rampId: r.rampId,
    version: r.version,
    apps: r.apps,
    outcome: r.outcome,
    steps: r.steps.map((s) => `${s.weight}%: ${s.verdict}${s.reason ? ` (${s.reason})` : ""}`),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    ...(r.promotion === undefined ? {} : { promotion: r.promotion }),
    ...(r.rollback === undefined
      ? {}
      : { rollback: { restored: r.rollback.restored, message: r.rollback.message } }),
  };
}
