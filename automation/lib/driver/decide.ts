/**
 * The driver's decision, as a pure function: given the ramp plan and what has been observed
 * so far, the one thing to do next. The driver is a loop around it (observe, decide, act), so
 * every path of a ramp, including a resumed one, goes through this table.
 */

/** The ramp as planned. */
export interface RampPlan {
  /** Canary weights, strictly increasing, ending at 100. */
  steps: readonly number[];
  /** How many extra windows a step may wait for enough traffic before failing closed. */
  maxHolds: number;
}

/** The verdict of a step's gate, as far as the decision needs it. */
export type StepVerdict =
  | { status: "pass" }
  | { status: "fail"; reason: string }
  | { status: "insufficient_traffic"; detail: string };

/** What the driver knows. */
export interface Observations {
  /** Index of the step the stack is on (its weight is deployed), or -1 before the first. */
  step: number;
  /** Whether the current step's update succeeded. @default true */
  applied: boolean;
  /** The gate verdict of the current step, or null while it is not judged. */
  verdict: StepVerdict | null;
  /** Windows already added to the current step for lack of traffic. */
  holds: number;
  /** Whether the promotion update succeeded. */
  promoted: boolean;
  /** Why the promotion failed, once it did. @default - it did not */
  promotionFailed?: string;
  /**
   * An error around the current step other than its update failing (the event log, a stack
   * tag, a bug): unknown means fail closed. @default - none
   */
  failure?: string;
  /**
   * Why a resumed ramp must not advance: the stack is held by failing gate verdicts. The ramp
   * is rolled back, and the cause is the gate. @default - not held
   */
  held?: string;
  /** The signal that interrupted the driver (`SIGINT`, `SIGTERM`). @default - none */
  interrupted?: string;
  /** Whether any step's update was started (a canary may be live even if it failed). @default - step ≥ 0 */
  started?: boolean;
}

/**
 * Why a ramp is rolled back: the gate's verdict (a failing or unjudgeable step), an error (a
 * failed update or promotion, a conflicting config edit, glidepath itself), or a signal.
 */
export type AbortCause = "gate" | "error" | "signal";

/** The one thing to do next. */
export type Intent =
  /** Deploy step `step` (weight `weight`). */
  | { kind: "advance"; step: number; weight: number }
  /** Judge the current step over its window. */
  | { kind: "bake"; step: number; final: boolean }
  /** Judge the current step over one more window (too little traffic so far). */
  | { kind: "hold"; step: number; reason: string }
  /** Roll back to the last green state. */
  | { kind: "abort"; reason: string; cause: AbortCause }
  /** Make the canary the stable release. */
  | { kind: "promote" }
  /** Stop without changing anything: interrupted before any canary was live. */
  | { kind: "stop"; reason: string }
  /** Nothing left to do. */
  | { kind: "done" };

/**
 * Decides the next intent.
 *
 * @param plan - the ramp plan
 * @param obs - what has been observed
 */
export function decideNext(plan: RampPlan, obs: Observations): Intent {
  const last = plan.steps.length - 1;
  if (obs.promoted) return { kind: "done" };
  const live = obs.started ?? obs.step >= 0;
  if (obs.interrupted !== undefined) {
    const reason = `interrupted by ${obs.interrupted}`;
    return live ? { kind: "abort", reason, cause: "signal" } : { kind: "stop", reason };
  }
  if (obs.failure !== undefined) {
    return live
      ? { kind: "abort", reason: obs.failure, cause: "error" }
      : { kind: "stop", reason: obs.failure };
  }
  if (obs.held !== undefined) {
    return live ? { kind: "abort", reason: obs.held, cause: "gate" } : { kind: "stop", reason: obs.held };
  }
  if (obs.promotionFailed !== undefined) {
    return { kind: "abort", reason: `the promotion failed: ${obs.promotionFailed}`, cause: "error" };
  }
  if (obs.step < -1 || obs.step > last) {
    return { kind: "abort", reason: `step ${obs.step} is outside the plan (0–${last})`, cause: "error" };
  }
  if (obs.step === -1) return advanceTo(plan, 0);
  if (!obs.applied)
    return { kind: "abort", reason: `the update of step ${obs.step + 1} failed`, cause: "error" };
  const v = obs.verdict;
  if (v === null) return { kind: "bake", step: obs.step, final: obs.step === last };
  switch (v.status) {
    case "fail":
      return { kind: "abort", reason: v.reason, cause: "gate" };
    case "insufficient_traffic":
      return obs.holds < plan.maxHolds
        ? { kind: "hold", step: obs.step, reason: v.detail }
        : { kind: "abort", reason: `not enough traffic to judge the step: ${v.detail}`, cause: "gate" };
    case "pass":
      return obs.step === last ? { kind: "promote" } : advanceTo(plan, obs.step + 1);
  }
}

function advanceTo(plan: RampPlan, step: number): Intent {
  const weight = plan.steps[step];
  if (weight === undefined) return { kind: "abort", reason: "the plan has no steps", cause: "error" };
  return { kind: "advance", step, weight };
}
