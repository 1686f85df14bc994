/**
 * `glidepath rollout` around the driver: signal handlers, the driver lock, an unfinished
 * closing phase finished first, the hold of a failing stack, the plan (bad input is exit 2
 * before any update), the ramp, and then — on every exit path — the report, validated and
 * written to `artifacts/rollout-report.json`, and the exit code of its outcome.
 */
import { defaultLocalRoot } from "../../../infra/load-config";
import { consumeApproval } from "../approval/check";
import { writeArtifact } from "../artifacts";
import type { StackContext } from "../context";
import { ExitCode, errorJson, GlidepathError, isGlidepathError } from "../errors";
import { admitUpdate, recordDeploy } from "../gate/production";
import { rampBakeMs } from "../ramp-duration";
import { loadStackConfig } from "../stack-config";
import { readClosing } from "./closing";
import type { DriverEvent } from "./events";
import { readHold, refuseIfHeld } from "./hold";
import { type HandledSignal, watchInterrupts } from "./interrupt";
import { badgeUrlOf, planRollout, type RolloutOverrides } from "./plan";
import { type RolloutReport, rampDetails, rolloutReportSchema } from "./report";
import { finishRamp, runRollout } from "./rollout";
import { withDriverLock } from "./session";
import { sloSourceFor } from "./slo-source";

/** Where the rollout report goes, relative to the project. */
export const ROLLOUT_REPORT = "artifacts/rollout-report.json";

/** A rollout request as the command parsed it. */
export interface RolloutArgs extends RolloutOverrides {
  /** The stack. */
  stack: string;
  /** The canary version. */
  version: string;
  /** The apps to ramp. @default - every app with a release */
  apps?: string[];
  /** Start or resume a ramp on a failing stack. @default false */
  overrideHold?: boolean;
}

/** How the session talks to the terminal. */
export interface RolloutIo {
  /** One progress event (rendered by the caller). */
  progress: (e: DriverEvent, steps: number) => void;
  /** The plan, once made and before any update (the CLI prints the ramp's duration). @default - nothing */
  planned?: (plan: { steps: readonly number[]; windowMs: number; finalWindowMs: number }) => void;
}

/** The exit code of an interrupting signal. */
function signalExit(signal: HandledSignal): number {
  return signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm;
}

/**
 * The error a finished rollout ends with (undefined when it was promoted).
 *
 * @param r - the report
 */
export function outcomeError(r: RolloutReport): GlidepathError | undefined {
  const stack = r.stack;
  const what = `the ramp of ${r.apps.join(", ")} to ${r.version}`;
  switch (r.outcome) {
    case "promoted":
      return undefined;
    case "rolled_back":
      if (r.interrupted) {
        return new GlidepathError(
          "GP_INTERRUPTED",
          `${r.interrupted}: ${what} was rolled back to update ${r.rollback?.restored ?? "?"}, the last green state`,
          `start it again with \`glidepath rollout --stack ${stack} --version ${r.version}\``,
          signalExit(r.interrupted),
        );
      }
      return new GlidepathError(
        r.cause === "gate" ? "GP_GATE_FAILED" : "GP_RAMP_ABORTED",
        `${what} was rolled back to update ${r.rollback?.restored ?? "?"}: ${r.reason ?? "unknown reason"}`,
        `the stack is back on its last green state; \`glidepath history --stack ${stack}\` shows the gate verdicts`,
      );
    case "rollback_failed":
      return new GlidepathError(
        "GP_ROLLBACK_FAILED",
        r.error?.message ?? `rolling back ${what} failed; the canary may still be live`,
        r.error?.fix ??
          `run \`glidepath rollout --stack ${stack} --version ${r.version}\` again to finish the rollback`,
      );
    case "not_started":
      return new GlidepathError(
        "GP_INTERRUPTED",
        `${r.interrupted ?? "stopped"}: ${what} stopped before its first update; nothing was deployed${r.reason && !r.interrupted ? ` (${r.reason})` : ""}`,
        `start it again with \`glidepath rollout --stack ${stack} --version ${r.version}\``,
        r.interrupted ? signalExit(r.interrupted) : ExitCode.failed,
      );
  }
}

/** The report of a rollout that ended before the driver started (refused, or crashed). */
function refusedReport(a: RolloutArgs, e: unknown): RolloutReport {
  const error = isGlidepathError(e)
    ? { code: e.code, message: e.message, fix: e.remedy }
    : {
        code: "GP_INTERNAL",
        message: e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e),
        fix: "report it",
      };
  return {
    stack: a.stack,
    rampId: "",
    version: a.version,
    apps: a.apps ?? [],
    outcome: "not_started",
    resumed: false,
    steps: [],
    error,
  };
}

/**
 * Runs `glidepath rollout` on an opened stack.
 *
 * @param ctx - the opened stack
 * @param a - the parsed arguments
 * @param io - progress output
 * @returns the report (already written) and, for every outcome but a promotion, the error to end with
 * @throws GlidepathError when the rollout was refused before the driver started (bad input,
 *   a held stack, another driver), after a `not_started` report was written
 */
export async function rolloutSession(
  ctx: StackContext,
  a: RolloutArgs,
  io: RolloutIo,
): Promise<{ report: RolloutReport; error: GlidepathError | undefined }> {
  let steps = 0;
  const interrupts = watchInterrupts((signal, first) => {
    if (!first) io.progress({ type: "warning", message: `${signal} again: abandoning the rollback` }, steps);
  });
  let report: RolloutReport | undefined;
  try {
    report = await withDriverLock(ctx, `rollout ${a.version}`, async (logs) => {
      // Everything is read under the lock: another driver may have moved the stack before.
      // An unfinished closing phase of an earlier driver is finished first; otherwise the
      // request is planned (exit 2 on bad input) before any update.
      const closing = await readClosing(ctx.stack);
      const config = await loadStackConfig(ctx.stack);
      if (closing !== undefined) {
        io.progress({ type: "closing", phase: closing.phase, version: closing.version }, 0);
        if (closing.version !== a.version) {
          io.progress(
            {
              type: "warning",
              message: `${a.version} is not started: the unfinished ${closing.phase === "promoting" ? "promotion" : "rollback"} of ${closing.version} is finished first; run this rollout again once it is done`,
            },
            0,
          );
        }
        return finishRamp(ctx, config, closing, logs, (e) => io.progress(e, 0), interrupts);
      }
      const plan = planRollout(
        a.stack,
        config,
        a.version,
        a.apps,
        { ...a, badgeUrl: badgeUrlOf(process.env, config) },
        ctx.projectDir,
      );
      steps = plan.steps.length;
      for (const message of plan.warnings) io.progress({ type: "warning", message }, steps);
      io.planned?.(plan);
      const hold = await readHold(logs.files.runtime, a.stack);
      let held: string | undefined;
      if (hold.rollout_gate === "hold") {
        if (a.overrideHold) {
          await logs.runtime.record(
            "hold_overridden",
            a.stack,
            `rollout ${a.version}: ${hold.reasons.join("; ")}`,
          );
        } else if (config.ramp === undefined) {
          refuseIfHeld(a.stack, hold, `glidepath rollout --stack ${a.stack} --version ${a.version}`);
        } else {
          held = `the stack is failing (rollout_gate hold: ${hold.reasons.at(-1) ?? "three failures in a row"}); a resumed ramp is rolled back, not advanced`;
        }
      }
      // A production stack needs a fresh PASS of the deploy gate for these bundles, canary
      // included, and the release manager's approval of that verdict, valid past the bake.
      const { admission, approval } = await admitUpdate({
        projectDir: ctx.projectDir,
        stack: a.stack,
        config,
        command: "rollout",
        canary: plan,
        lastsMs: rampBakeMs(plan),
      });
      const ramped = await runRollout(
        ctx,
        config,
        { ...plan, overrideHold: a.overrideHold ?? false },
        {
          source: await sloSourceFor(plan.slo, plan.intervalMs, {
            stack: a.stack,
            projectDir: ctx.projectDir,
            localRoot: config.localRoot ?? defaultLocalRoot(ctx.projectDir, a.stack),
            edgeUrl: config.targets.cloudflare?.edgeUrl,
            version: plan.version,
          }),
          swarm: logs.swarm,
          runtime: logs.runtime,
          onEvent: (e) => io.progress(e, steps),
          interrupts,
          ...(held ? { held } : {}),
          ...(logs.lockLost ? { lockLost: logs.lockLost } : {}),
        },
      );
      if (ramped.outcome !== "not_started") await consumeApproval(approval);
      if (admission !== undefined && ramped.outcome !== "not_started") {
        const result =
          ramped.outcome === "promoted"
            ? "succeeded"
            : ramped.outcome === "rolled_back"
              ? "rolled-back"
              : "failed";
        await recordDeploy({
          projectDir: ctx.projectDir,
          stack: a.stack,
          admission,
          result,
          command: "rollout",
          approval,
          details: rampDetails(ramped),
        });
      }
      return ramped;
    });
  } catch (e) {
    report = refusedReport(a, e);
    throw e;
  } finally {
    interrupts.dispose();
    if (report !== undefined) {
      try {
        // The artifact is the document `rollout --json` prints: a failed rollout carries its
        // error (a refused one already holds the refusal's).
        const failed = report.error === undefined ? outcomeError(report) : undefined;
        const document = failed === undefined ? report : { ...report, error: errorJson(failed) };
        await writeArtifact(ctx.projectDir, ROLLOUT_REPORT, rolloutReportSchema.parse(document));
      } catch (e) {
        io.progress(
          {
            type: "warning",
            message: `could not write ${ROLLOUT_REPORT}: ${e instanceof Error ? e.message : String(e)}`,
          },
          steps,
        );
      }
    }
  }
  return { report, error: outcomeError(report) };
}
