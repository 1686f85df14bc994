/**
 * The rollout driver: a reconcile loop around {@link decideNext} (observe, decide, act). Each
 * step writes the step's config (canary release, weight, `CanaryEnabled`, the ramp pointer)
 * and runs one `up` whose message names the step, apps and versions (`apply-step.ts`); then
 * the SLO gate bakes it (`judge-step.ts`). All steps green → promotion. Anything else once a
 * canary may be live — a failed gate, a failed update, an error of any kind, a signal — ends
 * in the one rollback, to the green state the ramp recorded when it started.
 *
 * The ramp pointer lives in the stack's config (and so in every update's history entry), so a
 * driver killed at any point is re-run with the same version and resumes: it re-judges the
 * step the stack is on, or rolls back if that step's update did not complete (`observe.ts`).
 * Every path returns a report; only a refusal before anything was deployed throws.
 */
import type { StackConfig } from "../../../infra/config";
import type { CliContext } from "../config-restore";
import type { StackContext } from "../context";
import { isGlidepathError } from "../errors";
import type { RuntimeLog, SwarmSink } from "../events/sinks";
import { readHistory } from "../history";
import type { GateSpec } from "../slo/gate";
import type { SloSource } from "../slo/sample";
import { applyPhase } from "./apply-step";
import type { Closing } from "./closing";
import {
  type CloseContext,
  closeByPromotion,
  closeByRollback,
  errorLine,
  finishClosing,
  promoteMessage,
  safeEvents,
  stepMessage,
} from "./closing-phases";
import { decideNext, type Observations, type RampPlan } from "./decide";
import { awaitStepRoutes } from "./edge-propagation";
import type { DriverEvent } from "./events";
import type { Interrupts } from "./interrupt";
import { judgeStep, sendStepEvent } from "./judge-step";
import { restorePointOf, stepApplied } from "./observe";
import { stepConfig } from "./ramp-config";
import type { RolloutReport } from "./report";
import { rereadConfig, warnDiscardedEdits } from "./reread-config";

export { stepMessage } from "./closing-phases";
export type { DriverEvent } from "./events";
export type { RolloutReport, StepReport } from "./report";

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
  /** Started with `--override-hold` on a failing stack. @default false */
  overrideHold?: boolean;
}

/** What the driver needs besides the stack. */
export interface DriverDeps {
  source: SloSource;
  swarm: SwarmSink;
  runtime: RuntimeLog;
  /** Progress. @default - nothing */
  onEvent?: (e: DriverEvent) => void;
  /** Clock for ramp ids and step timing. @default Date.now */
  now?: () => number;
  /** SIGINT/SIGTERM: the first rolls back, the second abandons the rollback. @default - none */
  interrupts?: Pick<Interrupts, "soft" | "hard" | "received">;
  /**
   * Why the stack's `rollout_gate` holds (health `failing`), when it does and was not
   * overridden: a resumed ramp is then rolled back instead of advanced. @default - not held
   */
  held?: string;
  /** Why the driver lock was lost, once it was: the ramp stops advancing. @default - never lost */
  lockLost?: () => string | undefined;
}

/** The gate and source as the report records them. */
function gateOf(req: RolloutRequest, source: SloSource): NonNullable<RolloutReport["gate"]> {
  const { burn: _burn, ...gate } = req.gate;
  return { ...gate, source: source.describe() };
}

/** A failed rollback as the report records it. */
function rollbackFailed(report: RolloutReport, reason: string, e: unknown): RolloutReport {
  const error = isGlidepathError(e)
    ? { code: e.code, message: e.message, fix: e.remedy }
    : { code: "GP_INTERNAL", message: errorLine(e), fix: "report it" };
  return { ...report, outcome: "rollback_failed", reason, error };
}

/**
 * Runs (or resumes) a ramp. The caller holds the driver lock and has validated the request
 * against the config (see `planRollout`).
 *
 * @param ctx - the opened stack
 * @param config - the stack's validated config
 * @param req - the ramp
 * @param deps - SLO source, event sinks, progress, interrupts
 * @returns the report of every outcome once the ramp started (promoted, rolled back, rollback failed, stopped)
 * @throws GlidepathError `GP_NO_GREEN_STATE` (exit 2) before anything is deployed
 */
export async function runRollout(
  ctx: StackContext,
  config: StackConfig,
  req: RolloutRequest,
  deps: DriverDeps,
): Promise<RolloutReport> {
  const now = deps.now ?? Date.now;
  const emit = deps.onEvent ?? (() => undefined);
  const warn = (message: string) => emit({ type: "warning", message });
  const cli: CliContext = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const stack = ctx.stack.name;
  const plan: RampPlan = { steps: req.steps, maxHolds: req.maxHolds };
  let cfg = config;
  const resumed = cfg.ramp !== undefined;
  const startedAt = cfg.ramp?.startedAt ?? new Date(now()).toISOString();
  const rampId = cfg.ramp?.id ?? `${req.version}@${startedAt}`;
  const overrideHold = cfg.ramp?.overrideHold ?? req.overrideHold ?? false;
  let report: RolloutReport = {
    stack,
    rampId,
    version: req.version,
    apps: req.apps,
    outcome: "not_started",
    resumed,
    steps: [],
    gate: gateOf(req, deps.source),
    ...(overrideHold ? { overrideHold: true } : {}),
  };
  const events = safeEvents({ stack, rampId, version: req.version, apps: req.apps }, deps, warn, now);
  const history = await readHistory(ctx.stack);
  // A new ramp records the green state it starts from before its first update.
  const restore = cfg.ramp !== undefined ? cfg.ramp.restore : restorePointOf(stack, history);
  const closeCtx: CloseContext = {
    ctx,
    cli,
    rampId,
    version: req.version,
    apps: req.apps,
    events,
    overrideHold,
    warn,
    ...(restore ? { restore } : {}),
    ...(deps.interrupts ? { signal: deps.interrupts.hard } : {}),
  };
  const judge = {
    req,
    source: deps.source,
    rampId,
    events,
    emit,
    overrideHold,
    ...(deps.interrupts ? { signal: deps.interrupts.soft } : {}),
  };
  const warned = new Set<string>();

  let obs: Observations = { step: -1, applied: true, verdict: null, holds: 0, promoted: false };
  let applyMs: number | undefined;
  let failedAt = now();
  if (cfg.ramp !== undefined) {
    const applied = stepApplied(history, cfg.ramp);
    obs = { ...obs, step: cfg.ramp.step, applied };
    emit({ type: "resume", step: cfg.ramp.step, weight: cfg.ramp.weight, applied });
    await events.record(
      "ramp_resumed",
      `step ${cfg.ramp.step + 1}`,
      applied ? "re-judging" : "update incomplete",
    );
    if (deps.held !== undefined) obs = { ...obs, held: deps.held };
  }

  for (;;) {
    const signal = deps.interrupts?.received();
    if (signal !== undefined && obs.interrupted === undefined) {
      obs = { ...obs, interrupted: signal };
      report = { ...report, interrupted: signal };
      emit({ type: "interrupted", signal, live: obs.started ?? obs.step >= 0 });
      await events.record("ramp_interrupted", stack, `${signal} at step ${obs.step + 1}`);
    }
    // Without its lock the driver cannot keep another one off the stack: fail closed.
    const lostLock = deps.lockLost?.();
    if (lostLock !== undefined && obs.failure === undefined && !obs.promoted) {
      obs = { ...obs, failure: `glidepath failed during the ramp: ${lostLock}` };
    }
    const intent = decideNext(plan, obs);
    try {
      switch (intent.kind) {
        case "advance": {
          const ramp = {
            id: rampId,
            version: req.version,
            apps: req.apps,
            step: intent.step,
            weight: intent.weight,
            startedAt,
            ...(restore ? { restore } : {}),
            ...(overrideHold ? { overrideHold: true } : {}),
          };
          // An edit made during the bake is kept, or stops the ramp; never overwritten.
          const seen = await rereadConfig(ctx, cfg, req.apps, events, warn);
          if ("conflict" in seen) {
            obs = { ...obs, failure: seen.conflict };
            break;
          }
          cfg = seen.config;
          const phase = stepConfig(cfg, ramp);
          const message = stepMessage(intent.weight, req.apps, req.version, overrideHold);
          emit({ type: "step", step: intent.step, weight: intent.weight, message });
          const t0 = now();
          obs = { ...obs, started: true };
          try {
            await applyPhase(ctx, cli, phase, message);
          } catch (e) {
            failedAt = now();
            await events.record("case_processing_failed", `step ${intent.step + 1}`, errorLine(e));
            obs = {
              step: intent.step,
              applied: false,
              verdict: null,
              holds: 0,
              promoted: false,
              started: true,
            };
            report.steps.push({
              step: intent.step,
              weight: intent.weight,
              update: message,
              verdict: "fail",
              reason: isGlidepathError(e) ? e.message : errorLine(e),
              slo: {},
              bakeMs: 0,
            });
            break;
          }
          cfg = { ...cfg, ...phase };
          obs = { step: intent.step, applied: true, verdict: null, holds: 0, promoted: false, started: true };
          applyMs = now() - t0;
          emit({ type: "applied", step: intent.step, weight: intent.weight, ms: applyMs });
          // Behind the Cloudflare edge the route reaches every location only after a while.
          const served = await awaitStepRoutes(ctx.stack, cfg, req.apps, warn).catch((e: unknown) => {
            warn(`could not probe the edge for the step's route (${errorLine(e)}); judging the step anyway`);
            return undefined;
          });
          if (served !== undefined && Object.keys(served.seenAfterMs).length > 0) {
            emit({
              type: "propagated",
              step: intent.step,
              weight: intent.weight,
              seenAfterMs: served.seenAfterMs,
            });
          }
          await events.record("step_applied", `step ${intent.step + 1}`, message);
          break;
        }
        case "bake":
        case "hold": {
          const held = intent.kind === "hold";
          if (held) await events.record("gate_held", `step ${intent.step + 1}`, intent.reason);
          const reported = report.steps.some((s) => s.step === intent.step);
          const j = await judgeStep(judge, intent.step, held, applyMs, reported);
          for (const w of j.warnings) if (!warned.has(w) && warned.add(w)) warn(w);
          if (j.interrupted) break;
          failedAt = j.endedAt;
          const holds = obs.holds + (held ? 1 : 0);
          const v = j.verdict;
          if (j.entry && (v.status !== "insufficient_traffic" || holds >= plan.maxHolds)) {
            applyMs = undefined;
            report.steps.push(j.entry);
            await sendStepEvent(judge, j.entry);
          }
          obs = { ...obs, verdict: v, holds };
          break;
        }
        case "abort": {
          await warnDiscardedEdits(ctx, cfg, req.apps, warn);
          emit({ type: "rollback", reason: intent.reason });
          const t0 = now();
          try {
            const done = await closeByRollback(closeCtx, intent.reason, intent.cause);
            emit({ type: "rolled-back", message: done.message, ms: now() - t0 });
            return {
              ...report,
              outcome: "rolled_back",
              reason: intent.reason,
              cause: intent.cause,
              rollback: { ...done, fromFailureMs: now() - failedAt },
            };
          } catch (e) {
            return rollbackFailed(report, intent.reason, e);
          }
        }
        case "promote": {
          const message = promoteMessage(req.apps, req.version, overrideHold);
          const seen = await rereadConfig(ctx, cfg, req.apps, events, warn);
          if ("conflict" in seen) {
            obs = { ...obs, failure: seen.conflict };
            break;
          }
          cfg = seen.config;
          emit({ type: "promote", message });
          try {
            report.promotion = await closeByPromotion(closeCtx, cfg);
            obs = { ...obs, promoted: true };
          } catch (e) {
            failedAt = now();
            await events.record("case_processing_failed", "promotion", errorLine(e));
            obs = {
              ...obs,
              promotionFailed: isGlidepathError(e) ? `${e.code}: ${errorLine(e)}` : errorLine(e),
            };
          }
          break;
        }
        case "stop":
          return { ...report, outcome: "not_started", reason: intent.reason };
        case "done":
          return { ...report, outcome: "promoted" };
      }
    } catch (e) {
      // Anything else (the event log, a stack file that no longer parses, a bug): fail closed.
      failedAt = now();
      const why = `${isGlidepathError(e) ? `${e.code}: ` : ""}${errorLine(e)}`;
      warn(`the ramp stopped on an error: ${why}`);
      await events.record("case_processing_failed", `step ${obs.step + 1}`, why);
      obs = { ...obs, failure: `glidepath failed during the ramp: ${why}` };
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
 * @param interrupts - a second signal abandons the rollback @default - none
 */
export async function finishRamp(
  ctx: StackContext,
  cfg: StackConfig,
  closing: Closing,
  sinks: { swarm: SwarmSink; runtime: RuntimeLog },
  onEvent: (e: DriverEvent) => void = () => undefined,
  interrupts?: Pick<Interrupts, "hard">,
): Promise<RolloutReport> {
  const { rampId, version, apps } = closing;
  const warn = (message: string) => onEvent({ type: "warning", message });
  const events = safeEvents({ stack: ctx.stack.name, rampId, version, apps }, sinks, warn);
  await events.record("ramp_resumed", ctx.stack.name, `finishing ${closing.phase}`);
  const cli: CliContext = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const t0 = Date.now();
  const base: RolloutReport = {
    stack: ctx.stack.name,
    rampId,
    version,
    apps,
    outcome: "not_started",
    resumed: true,
    steps: [],
    ...(closing.overrideHold ? { overrideHold: true } : {}),
  };
  const close: CloseContext = {
    ctx,
    cli,
    rampId,
    version,
    apps,
    events,
    warn,
    overrideHold: closing.overrideHold ?? false,
    ...(closing.restore ? { restore: closing.restore } : {}),
    ...(interrupts ? { signal: interrupts.hard } : {}),
  };
  try {
    const done = await finishClosing(close, cfg, closing);
    if (done.outcome === "promoted") return { ...base, outcome: "promoted", promotion: done.promotion };
    return {
      ...base,
      outcome: "rolled_back",
      reason: done.reason,
      cause: done.cause,
      rollback: { ...done.rollback, fromFailureMs: Date.now() - t0 },
    };
  } catch (e) {
    return rollbackFailed(base, closing.reason ?? `finishing an interrupted ${closing.phase}`, e);
  }
}
