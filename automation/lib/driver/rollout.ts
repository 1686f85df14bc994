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
import type { SwarmEvent } from "../events/schema";
import type { RuntimeLog, SwarmSink } from "../events/sinks";
import { readHistory } from "../history";
import type { GateSpec } from "../slo/gate";
import { summarizeSamples } from "../slo/gate";
import type { SloSource } from "../slo/sample";
import { rollBackRamp } from "./abort";
import { type BakeProgress, type BakeResult, bake } from "./bake";
import { decideNext, type Observations, type RampPlan } from "./decide";
import { type PhaseConfig, promotionConfig, stepConfig } from "./ramp-config";
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
  | { type: "promote"; message: string };

/** One judged step, for the report. */
export interface StepReport {
  step: number;
  weight: number;
  /** The update message of the step (absent when resumed onto an applied step). */
  update?: string;
  verdict: BakeResult["verdict"]["status"];
  reason?: string;
  /** Per app: samples, misses, min and last score. */
  slo: Record<string, ReturnType<typeof summarizeSamples>>;
  bakeMs: number;
  /** Time to write the step's config and run its update (ms); absent for a resumed step. */
  applyMs?: number;
}

/** The outcome of a rollout. */
export interface RolloutReport {
  stack: string;
  rampId: string;
  version: string;
  apps: string[];
  outcome: "promoted" | "rolled_back";
  resumed: boolean;
  steps: StepReport[];
  /** Why the ramp was rolled back. */
  reason?: string;
  /**
   * The rollback: the update restored, its message, and the time from the failing sample (or
   * failed update) to the target converged on the last green state (ms).
   */
  rollback?: { restored: number; message: string; fromFailureMs: number };
  /** The promotion update message. */
  promotion?: string;
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
}

const releaseList = (apps: readonly string[], version: string) =>
  apps.map((a) => `${a}@${version}`).join(" ");

/** Update message of a step: `glidepath canary:25 wix@v2 gamma@v2`. */
export function stepMessage(weight: number, apps: readonly string[], version: string): string {
  return `glidepath canary:${weight} ${releaseList(apps, version)}`;
}

/** Update message of a promotion: `glidepath promote wix@v2 gamma@v2`. */
export function promoteMessage(apps: readonly string[], version: string): string {
  return `glidepath promote ${releaseList(apps, version)}`;
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
  const swarm = (e: Omit<SwarmEvent, "ts" | "stack" | "rampId" | "version" | "apps">) =>
    deps.swarm.send({
      ts: new Date(now()).toISOString(),
      stack,
      rampId,
      version: req.version,
      apps: req.apps,
      ...e,
    });

  let obs: Observations = { step: -1, applied: true, verdict: null, holds: 0, promoted: false };
  let applyMs: number | undefined;
  let failedAt = now();
  if (cfg.ramp !== undefined) {
    // Resume: the step is applied if the newest update succeeded with this very ramp pointer.
    const [newest] = await readHistory(ctx.stack);
    const applied =
      newest?.result === "succeeded" &&
      newest.config["glidepath:ramp"]?.value !== undefined &&
      JSON.parse(newest.config["glidepath:ramp"].value).step === cfg.ramp.step;
    obs = { ...obs, step: cfg.ramp.step, applied };
    emit({ type: "resume", step: cfg.ramp.step, weight: cfg.ramp.weight, applied });
    await deps.runtime.record(
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
          await deps.runtime.record("step_applied", `step ${intent.step + 1}`, message);
        } catch (e) {
          if (!isGlidepathError(e)) throw e;
          failedAt = now();
          await deps.runtime.record(
            "case_processing_failed",
            `step ${intent.step + 1}`,
            e.message.split("\n")[0],
          );
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
          await deps.runtime.record("gate_held", `step ${intent.step + 1}`, intent.reason);
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
            await deps.runtime.record(
              "retry_attempted",
              app,
              `${s.misses} failed SLO sample(s) at ${weight}%`,
            );
        }
        const v = result.verdict;
        if (v.status !== "insufficient_traffic" || intent.kind === "hold" || obs.holds >= plan.maxHolds) {
          const entry: StepReport = {
            step: intent.step,
            weight,
            verdict: v.status,
            slo,
            bakeMs: result.endedAt - result.startedAt,
          };
          if (v.status === "fail") entry.reason = v.reason;
          if (v.status === "insufficient_traffic") entry.reason = v.detail;
          if (applyMs !== undefined) entry.applyMs = applyMs;
          applyMs = undefined;
          if (intent.kind === "bake" && !report.steps.some((s) => s.step === intent.step))
            entry.update = stepMessage(weight, req.apps, req.version);
          report.steps.push(entry);
          await swarm({
            id: `${rampId}:canary:${weight}`,
            phase: `canary:${weight}`,
            weight,
            verdict: v.status,
            ...(v.status === "fail" ? { reason: v.reason } : {}),
            update: stepMessage(weight, req.apps, req.version),
            slo,
          });
        }
        await deps.runtime.record(
          v.status === "pass" ? "gate_passed" : v.status === "fail" ? "gate_failed" : "gate_held",
          `step ${intent.step + 1}`,
          v.status === "pass" ? `${weight}%` : v.status === "fail" ? v.reason : v.detail,
        );
        if (v.status === "pass") await deps.runtime.record("healthy_cycle", `step ${intent.step + 1}`);
        obs = { ...obs, verdict: v, holds: obs.holds + (intent.kind === "hold" ? 1 : 0) };
        break;
      }
      case "abort": {
        emit({ type: "rollback", reason: intent.reason });
        const t0 = now();
        const done = await rollBackRamp(ctx, cli);
        emit({ type: "rolled-back", message: done.message, ms: now() - t0 });
        await swarm({
          id: `${rampId}:rollback:triggered`,
          phase: "rollback:triggered",
          weight: 0,
          reason: intent.reason,
          update: done.message,
        });
        await deps.runtime.record(
          "rollback_completed",
          stack,
          `restored update ${done.restored.version}: ${intent.reason}`,
        );
        return {
          ...report,
          outcome: "rolled_back",
          reason: intent.reason,
          rollback: {
            restored: done.restored.version,
            message: done.message,
            fromFailureMs: now() - failedAt,
          },
        };
      }
      case "promote": {
        const ramp = cfg.ramp;
        if (ramp === undefined)
          throw new GlidepathError("GP_INTERNAL", "promotion without a ramp pointer", "report this");
        const message = promoteMessage(req.apps, req.version);
        emit({ type: "promote", message });
        try {
          await applyPhase(ctx, cli, promotionConfig(cfg, ramp), message);
        } catch (e) {
          if (!isGlidepathError(e)) throw e;
          failedAt = now();
          await deps.runtime.record("case_processing_failed", "promotion", e.message.split("\n")[0]);
          obs = { ...obs, applied: false };
          break;
        }
        await swarm({
          id: `${rampId}:deploy:complete`,
          phase: "deploy:complete",
          weight: 0,
          update: message,
        });
        await deps.runtime.record("promotion_completed", stack, message);
        obs = { ...obs, promoted: true };
        report.promotion = message;
        break;
      }
      case "done":
        return { ...report, outcome: "promoted" };
    }
  }
}
