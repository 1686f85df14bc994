/**
 * The rollout driver: a reconcile loop around {@link decideNext}. Each step writes the step's
 * config (canary release, weight, `CanaryEnabled`, the ramp pointer) and runs one `up` whose
 * message names the step, apps and versions; then the SLO gate bakes it. All steps green →
 * promotion. Any failure → rollback to the last green state outside a ramp. The ramp pointer
 * lives in the stack's config (and so in every update's history entry), so a driver killed
 * at any point is re-run with the same version and resumes: it re-judges the step the stack
 * is on, or rolls back if that step's update did not complete.
 */
import type { StackConfig } from "../../../infra/config";
import type { CliContext } from "../config-restore";
import { withConfigGuard } from "../config-restore";
import type { StackContext } from "../context";
import { GlidepathError, isGlidepathError } from "../errors";
import type { RuntimeLog, SwarmSink } from "../events/sinks";
import { type HistoryConfigValue, readHistory } from "../history";
import { pickRestorePoint } from "../rollback-plan";
import type { GateSpec } from "../slo/gate";
import { summarizeSamples } from "../slo/gate";
import type { SloSource } from "../slo/sample";
import { type BakeProgress, type BakeResult, bake } from "./bake";
import type { Closing } from "./closing";
import {
  type CloseContext,
  closeByPromotion,
  closeByRollback,
  finishClosing,
  promoteMessage,
  safeEvents,
} from "./closing-phases";
import { decideNext, type Observations, type RampPlan } from "./decide";
import { type PhaseConfig, stepConfig } from "./ramp-config";
import type { RolloutReport, StepReport } from "./report";
import { writeStackKeys } from "./stack-file";
import { upStep } from "./up-cli";

/** A validated rollout request. */
export interface RolloutRequest {
  /** Canary version (tag) to ramp. */
  version: string;
  /** Apps to ramp, sorted. */
  apps: string[];
  /** Weights, strictly increasing, ending at 100. */
  steps: number[];
  /** Bake window of every step but the last (ms). */
  windowMs: number;
  /** Bake window of the last step (ms). */
  finalWindowMs: number;
  /** Time between samples (ms). */
  intervalMs: number;
  /** The gate. */
  gate: GateSpec;
  /** Extra windows a step may wait for traffic. */
  maxHolds: number;
}

/** What the driver reports while it runs. */
export type DriverEvent =
  | { type: "resume"; step: number; weight: number; applied: boolean }
  | { type: "step"; step: number; weight: number; message: string }
  | { type: "applied"; step: number; weight: number; ms: number }
  | { type: "round"; step: number; weight: number; progress: BakeProgress }
  | { type: "verdict"; step: number; weight: number; verdict: BakeResult["verdict"] }
  | { type: "rollback"; reason: string }
  | { type: "rolled-back"; message: string; ms: number }
  | { type: "promote"; message: string }
  | { type: "closing"; phase: "rolling_back" | "promoting"; version: string }
  | { type: "warning"; message: string };

export type { RolloutReport, StepReport } from "./report";

/** What the driver needs besides the stack. */
export interface DriverDeps {
  source: SloSource;
  swarm: SwarmSink;
  runtime: RuntimeLog;
  /** Progress. @default - nothing */
  onEvent?: (e: DriverEvent) => void;
  /** Clock for ramp ids and step timing. @default Date.now */
  now?: () => number;
}

/** Update message of a step: `glidepath canary:25 gamma@v2 wix@v2`. */
export function stepMessage(weight: number, apps: readonly string[], version: string): string {
  return `glidepath canary:${weight} ${apps.map((a) => `${a}@${version}`).join(" ")}`;
}

/** The step of a history entry's ramp pointer, or undefined. */
function rampStepOf(v: HistoryConfigValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    const ramp = (v.objectValue ?? JSON.parse(v.value ?? "null")) as { step?: unknown } | null;
    return typeof ramp?.step === "number" ? ramp.step : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a phase's config and runs its update; the config file is put back if either fails. */
async function applyPhase(ctx: StackContext, cli: CliContext, phase: PhaseConfig, message: string) {
  await withConfigGuard(ctx.stack, async () => {
    await writeStackKeys(ctx.projectDir, ctx.stack.name, { ...phase });
    await upStep(ctx.stack, cli, message);
  });
}

/**
 * Runs (or resumes) a ramp. The caller holds the driver lock and has validated the request
 * against the config (see `planRollout`).
 *
 * @param ctx - the opened stack
 * @param config - the stack's validated config
 * @param req - the ramp
 * @param deps - SLO source, event sinks, progress
 */
export async function runRollout(
  ctx: StackContext,
  config: StackConfig,
  req: RolloutRequest,
  deps: DriverDeps,
): Promise<RolloutReport> {
  const now = deps.now ?? Date.now;
  const emit = deps.onEvent ?? (() => undefined);
  const cli: CliContext = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const stack = ctx.stack.name;
  const plan: RampPlan = { steps: req.steps, maxHolds: req.maxHolds };
  let cfg = config;
  const resumed = cfg.ramp !== undefined;
  const startedAt = cfg.ramp?.startedAt ?? new Date(now()).toISOString();
  const rampId = cfg.ramp?.id ?? `${req.version}@${startedAt}`;
  const report: RolloutReport = {
    stack,
    rampId,
    version: req.version,
    apps: req.apps,
    outcome: "rolled_back",
    resumed,
    steps: [],
  };
  const events = safeEvents(
    { stack, rampId, version: req.version, apps: req.apps },
    deps,
    (message) => emit({ type: "warning", message }),
    now,
  );
  const closeCtx: CloseContext = { ctx, cli, rampId, version: req.version, apps: req.apps, events };

  let obs: Observations = { step: -1, applied: true, verdict: null, holds: 0, promoted: false };
  let applyMs: number | undefined;
  let failedAt = now();
  if (cfg.ramp === undefined) {
    // The rollback target must exist before the first update, or a failing step has nowhere to go.
    try {
      pickRestorePoint(await readHistory(ctx.stack), { green: true });
    } catch {
      throw new GlidepathError(
        "GP_NO_GREEN_STATE",
        `stack "${stack}" has no successful update outside a ramp to roll back to; nothing was deployed`,
        `deploy the stable releases first with \`glidepath up --stack ${stack}\`, then start the ramp`,
      );
    }
  }
  if (cfg.ramp !== undefined) {
    // Resume: the step is applied if the newest update succeeded with this very ramp pointer.
    const [newest] = await readHistory(ctx.stack);
    const applied =
      newest?.result === "succeeded" && rampStepOf(newest.config["glidepath:ramp"]) === cfg.ramp.step;
    obs = { ...obs, step: cfg.ramp.step, applied };
    emit({ type: "resume", step: cfg.ramp.step, weight: cfg.ramp.weight, applied });
    await events.record(
      "ramp_resumed",
      `step ${cfg.ramp.step + 1}`,
      applied ? "re-judging" : "update incomplete",
    );
  }

  for (;;) {
    const intent = decideNext(plan, obs);
    switch (intent.kind) {
      case "advance": {
        const ramp = {
          id: rampId,
          version: req.version,
          apps: req.apps,
          step: intent.step,
          weight: intent.weight,
          startedAt,
        };
        const phase = stepConfig(cfg, ramp);
        const message = stepMessage(intent.weight, req.apps, req.version);
        emit({ type: "step", step: intent.step, weight: intent.weight, message });
        const t0 = now();
        try {
          await applyPhase(ctx, cli, phase, message);
          cfg = { ...cfg, ...phase };
          obs = { step: intent.step, applied: true, verdict: null, holds: 0, promoted: false };
          applyMs = now() - t0;
          emit({ type: "applied", step: intent.step, weight: intent.weight, ms: applyMs });
          await events.record("step_applied", `step ${intent.step + 1}`, message);
        } catch (e) {
          if (!isGlidepathError(e)) throw e;
          failedAt = now();
          await events.record("case_processing_failed", `step ${intent.step + 1}`, e.message.split("\n")[0]);
          obs = { step: intent.step, applied: false, verdict: null, holds: 0, promoted: false };
          report.steps.push({
            step: intent.step,
            weight: intent.weight,
            update: message,
            verdict: "fail",
            reason: e.message,
            slo: {},
            bakeMs: 0,
          });
        }
        break;
      }
      case "bake":
      case "hold": {
        const weight = req.steps[intent.step] as number;
        const final = intent.step === req.steps.length - 1;
        if (intent.kind === "hold")
          await events.record("gate_held", `step ${intent.step + 1}`, intent.reason);
        const result = await bake({
          apps: req.apps,
          source: deps.source,
          gate: req.gate,
          windowMs: final ? req.finalWindowMs : req.windowMs,
          intervalMs: req.intervalMs,
          onRound: (progress) => emit({ type: "round", step: intent.step, weight, progress }),
        });
        emit({ type: "verdict", step: intent.step, weight, verdict: result.verdict });
        failedAt = result.endedAt;
        const slo = Object.fromEntries(
          Object.entries(result.apps).map(([app, a]) => [app, summarizeSamples(a.samples)]),
        );
        for (const [app, s] of Object.entries(slo)) {
          if (s.misses > 0)
            await events.record("retry_attempted", app, `${s.misses} failed SLO sample(s) at ${weight}%`);
        }
        const v = result.verdict;
        const holds = obs.holds + (intent.kind === "hold" ? 1 : 0);
        // Only a step's final verdict is reported; a window held for traffic is not.
        if (v.status !== "insufficient_traffic" || holds >= plan.maxHolds) {
          const entry: StepReport = {
            step: intent.step,
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
          applyMs = undefined;
          if (intent.kind === "bake" && !report.steps.some((s) => s.step === intent.step))
            entry.update = stepMessage(weight, req.apps, req.version);
          report.steps.push(entry);
          await events.swarm({
            id: `${rampId}:canary:${weight}@${new Date(result.startedAt).toISOString()}`,
            phase: `canary:${weight}`,
            weight,
            verdict: v.status,
            ...(v.status === "fail" ? { reason: v.reason } : {}),
            update: stepMessage(weight, req.apps, req.version),
            slo,
          });
        }
        await events.record(
          v.status === "pass" ? "gate_passed" : v.status === "fail" ? "gate_failed" : "gate_held",
          `step ${intent.step + 1}`,
          v.status === "pass" ? `${weight}%` : v.status === "fail" ? v.reason : v.detail,
        );
        if (v.status === "pass") await events.record("healthy_cycle", `step ${intent.step + 1}`);
        obs = { ...obs, verdict: v, holds };
        break;
      }
      case "abort": {
        emit({ type: "rollback", reason: intent.reason });
        const t0 = now();
        const done = await closeByRollback(closeCtx, intent.reason);
        emit({ type: "rolled-back", message: done.message, ms: now() - t0 });
        return {
          ...report,
          outcome: "rolled_back",
          reason: intent.reason,
          rollback: { ...done, fromFailureMs: now() - failedAt },
        };
      }
      case "promote": {
        const message = promoteMessage(req.apps, req.version);
        emit({ type: "promote", message });
        try {
          report.promotion = await closeByPromotion(closeCtx, cfg);
          obs = { ...obs, promoted: true };
        } catch (e) {
          if (!isGlidepathError(e)) throw e;
          failedAt = now();
          await events.record("case_processing_failed", "promotion", e.message.split("\n")[0]);
          obs = { ...obs, applied: false };
        }
        break;
      }
      case "done":
        return { ...report, outcome: "promoted" };
    }
  }
}

/**
 * Finishes the closing phase (rollback or promotion) an earlier driver left, and reports it
 * as a resumed rollout. The caller holds the driver lock.
 *
 * @param ctx - the opened stack
 * @param cfg - the stack's config
 * @param closing - the mark the earlier driver left
 * @param sinks - the event logs
 * @param onEvent - progress @default - nothing
 */
export async function finishRamp(
  ctx: StackContext,
  cfg: StackConfig,
  closing: Closing,
  sinks: { swarm: SwarmSink; runtime: RuntimeLog },
  onEvent: (e: DriverEvent) => void = () => undefined,
): Promise<RolloutReport> {
  const { rampId, version, apps } = closing;
  const events = safeEvents({ stack: ctx.stack.name, rampId, version, apps }, sinks, (message) =>
    onEvent({ type: "warning", message }),
  );
  await events.record("ramp_resumed", ctx.stack.name, `finishing ${closing.phase}`);
  const cli: CliContext = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const t0 = Date.now();
  const done = await finishClosing({ ctx, cli, rampId, version, apps, events }, cfg, closing);
  const base = { stack: ctx.stack.name, rampId, version, apps, resumed: true, steps: [] };
  if (done.outcome === "promoted") return { ...base, outcome: "promoted", promotion: done.promotion };
  return {
    ...base,
    outcome: "rolled_back",
    reason: done.reason,
    rollback: { ...done.rollback, fromFailureMs: Date.now() - t0 },
  };
}
