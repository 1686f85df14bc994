/**
 * The two append-only logs the driver writes, one JSON object per line: the SWARM log (one
 * event per rollout phase, for people and for the Notion sink) and `runtime-events.jsonl`
 * (what happened inside the driver, with reason codes, from which `glidepath status`
 * derives health). Neither ever holds a secret value.
 */
import { z } from "zod";

/** Phases of the SWARM log. */
export const SWARM_PHASE =
  /^(canary:(100|[1-9]\d?)|rollback:triggered|deploy:complete|content-sync:[a-z-]+)$/;

/**
 * The SLO figures of one app over a bake (`summarizeSamples`): samples, misses, min and last
 * score, the requests counted, and whether they were counted at all (`traffic`).
 */
export const sloSummarySchema = z.strictObject({
  count: z.number().int(),
  misses: z.number().int(),
  minScore: z.number().nullable(),
  lastScore: z.number().nullable(),
  requests: z.number().int().min(0).optional(),
  good: z.number().int().min(0).optional(),
  /**
   * `counted`: the source gave good/total counts and the minimum-traffic guard applied;
   * `unknown`: scores only, the guard could not apply. Optional: lines written before it
   * existed still parse.
   */
  traffic: z.enum(["counted", "unknown"]).optional(),
});

/** One SWARM event. `id` makes re-sending idempotent: a sink keeps the first event of an id. */
export const swarmEventSchema = z.strictObject({
  id: z.string().min(1),
  ts: z.iso.datetime(),
  stack: z.string().min(1),
  phase: z.string().regex(SWARM_PHASE),
  /** The ramp this event belongs to (`<version>@<start>`). */
  rampId: z.string().optional(),
  version: z.string().optional(),
  apps: z.array(z.string()).optional(),
  weight: z.number().int().min(0).max(100).optional(),
  /** Gate verdict of the step: `pass`, `fail`, `insufficient_traffic`. */
  verdict: z.string().optional(),
  /** Why (a failed gate, a failed update). */
  reason: z.string().optional(),
  /** The update message recorded in stack history for this phase. */
  update: z.string().optional(),
  /** Per app: the SLO figures of the step (count, misses, min and last score). */
  slo: z.record(z.string(), sloSummarySchema).optional(),
});

/** A SWARM event. */
export type SwarmEvent = z.infer<typeof swarmEventSchema>;

/** Reason codes of runtime events. */
export const RUNTIME_CODES = [
  "healthy_cycle",
  "retry_attempted",
  "case_processing_failed",
  "gate_passed",
  "gate_failed",
  "gate_held",
  "step_applied",
  "rollback_completed",
  "promotion_completed",
  "ramp_resumed",
  "ramp_interrupted",
  "hold_overridden",
  "config_edit_kept",
  "config_edit_conflict",
  "stale_lock_cleared",
] as const;

/** Codes that break a healthy streak (count towards `failure_streak`). */
export const FAILURE_CODES: ReadonlySet<string> = new Set(["case_processing_failed", "gate_failed"]);

/** Codes that end a failure streak. */
export const RECOVERY_CODES: ReadonlySet<string> = new Set([
  "healthy_cycle",
  "gate_passed",
  "promotion_completed",
]);

/** One runtime event. */
export const runtimeEventSchema = z.strictObject({
  ts: z.iso.datetime(),
  stack: z.string().min(1),
  code: z.enum(RUNTIME_CODES),
  /** What it concerns: `wix`, `step 2`, … */
  subject: z.string().optional(),
  detail: z.string().optional(),
});

/** A runtime event. */
export type RuntimeEvent = z.infer<typeof runtimeEventSchema>;
