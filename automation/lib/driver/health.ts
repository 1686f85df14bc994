/**
 * Health of a stack's delivery, derived from its runtime events (pure): `failure_streak` is
 * the number of failures (a failed gate, a failed step) since the last healthy event;
 * `healthy` at 0, `degraded` at 1–2, `failing` at 3 or more. `rollout_gate` is `hold` while
 * the stack is failing (no new ramp should start), else `pass`.
 */
import { FAILURE_CODES, RECOVERY_CODES, type RuntimeEvent } from "../events/schema";

/** Derived health. */
export interface Health {
  health: "healthy" | "degraded" | "failing";
  failure_streak: number;
  rollout_gate: "pass" | "hold";
}

/** Failures in a row at which a stack is failing. */
export const FAILING_STREAK = 3;

/**
 * Derives health from runtime events, oldest first.
 *
 * @param events - the stack's runtime events
 */
export function deriveHealth(events: readonly RuntimeEvent[]): Health {
  let streak = 0;
  for (const e of events) {
    if (FAILURE_CODES.has(e.code)) streak++;
    else if (RECOVERY_CODES.has(e.code)) streak = 0;
  }
  const health = streak === 0 ? "healthy" : streak < FAILING_STREAK ? "degraded" : "failing";
  return { health, failure_streak: streak, rollout_gate: health === "failing" ? "hold" : "pass" };
}

/**
 * The runtime events of the current failure streak, oldest first (what a hold is made of).
 *
 * @param events - the stack's runtime events, oldest first
 */
export function streakEvents(events: readonly RuntimeEvent[]): RuntimeEvent[] {
  let streak: RuntimeEvent[] = [];
  for (const e of events) {
    if (FAILURE_CODES.has(e.code)) streak.push(e);
    else if (RECOVERY_CODES.has(e.code)) streak = [];
  }
  return streak;
}
