/**
 * Judging one step: bake it (the SLO gate over the step's window), then turn what the bake
 * saw into the step's report entry and its runtime events; the caller reports a step's final
 * verdict (with its SWARM event), not a window held for traffic.
 */
import { summarizeSamples } from "../slo/gate";
import type { SloSource } from "../slo/sample";
import { type BakeResult, bake } from "./bake";
import type { SafeEvents } from "./closing-phases";
import { stepMessage } from "./closing-phases";
import type { StepVerdict } from "./decide";
import type { DriverEvent } from "./events";
import type { StepReport } from "./report";
import type { RolloutRequest } from "./rollout";

/** What judging a step needs. */
export interface JudgeContext {
  req: RolloutRequest;
  source: SloSource;
  rampId: string;
  events: SafeEvents;
  emit: (e: DriverEvent) => void;
  /** Ends the bake early (a signal). @default - never */
  signal?: AbortSignal;
  /** The ramp overrode a failing stack's hold (update messages say so). @default false */
  overrideHold?: boolean;
}

/** The outcome of judging a step. */
export interface Judgement {
  verdict: StepVerdict;
  /** The report entry (the caller reports it once the verdict is final for the step). */
  entry?: StepReport;
  /** When the bake ended (epoch ms): the failure time of a failed gate. */
  endedAt: number;
  /** The bake was cut short by a signal; its verdict does not count. */
  interrupted: boolean;
  /** Warnings of the bake (a score-only source: the minimum-traffic guard could not apply). */
  warnings: string[];
}

/**
 * Bakes and judges step `step`.
 *
 * @param j - the ramp, source and sinks
 * @param step - the step index
 * @param held - whether this window is an extra one for lack of traffic
 * @param applyMs - how long the step's update took, when it was applied by this driver @default - not reported
 * @param reported - whether the step already has a report entry (its update failed, or an earlier window) @default false
 */
export async function judgeStep(
  j: JudgeContext,
  step: number,
  held: boolean,
  applyMs?: number,
  reported = false,
): Promise<Judgement> {
  const { req } = j;
  const weight = req.steps[step] as number;
  const final = step === req.steps.length - 1;
  const update = stepMessage(weight, req.apps, req.version, j.overrideHold);
  const result: BakeResult = await bake({
    apps: req.apps,
    source: j.source,
    gate: req.gate,
    windowMs: final ? req.finalWindowMs : req.windowMs,
    intervalMs: req.intervalMs,
    signal: j.signal,
    onRound: (progress) => j.emit({ type: "round", step, weight, progress }),
  });
  const warnings = result.warnings ?? [];
  if (result.interrupted) {
    return { verdict: result.verdict, endedAt: result.endedAt, interrupted: true, warnings };
  }
  j.emit({ type: "verdict", step, weight, verdict: result.verdict });
  const slo = Object.fromEntries(
    Object.entries(result.apps).map(([app, a]) => [app, summarizeSamples(a.samples)]),
  );
  for (const [app, s] of Object.entries(slo)) {
    if (s.misses > 0)
      await j.events.record("retry_attempted", app, `${s.misses} failed SLO sample(s) at ${weight}%`);
  }
  const v = result.verdict;
  const entry: StepReport = {
    step,
    weight,
    verdict: v.status,
    slo,
    bakeMs: result.endedAt - result.startedAt,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
  };
  if (v.status === "fail") entry.reason = v.reason;
  if (v.status === "insufficient_traffic") entry.reason = v.detail;
  if (applyMs !== undefined) entry.applyMs = applyMs;
  if (!held && !reported) entry.update = update;
  await j.events.record(
    v.status === "pass" ? "gate_passed" : v.status === "fail" ? "gate_failed" : "gate_held",
    `step ${step + 1}`,
    v.status === "pass" ? `${weight}%` : v.status === "fail" ? v.reason : v.detail,
  );
  if (v.status === "pass") await j.events.record("healthy_cycle", `step ${step + 1}`);
  return { verdict: v, entry, endedAt: result.endedAt, interrupted: false, warnings };
}

/**
 * Sends the SWARM event of a step's final verdict.
 *
 * @param j - the ramp and sinks
 * @param entry - the step's report entry
 */
export async function sendStepEvent(j: JudgeContext, entry: StepReport): Promise<void> {
  const { req } = j;
  await j.events.swarm({
    id: `${j.rampId}:canary:${entry.weight}@${new Date(entry.startedAt ?? 0).toISOString()}`,
    phase: `canary:${entry.weight}`,
    weight: entry.weight,
    verdict: entry.verdict,
    ...(entry.verdict === "fail" && entry.reason ? { reason: entry.reason } : {}),
    update: stepMessage(entry.weight, req.apps, req.version, j.overrideHold),
    slo: entry.slo,
  });
}
