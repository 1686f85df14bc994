/**
 * How a ramp ends: rolled back to the last green state, or promoted. Each phase is marked
 * with a stack tag before its update and unmarked after it (see `closing.ts`), so a driver
 * killed inside it is finished by the next one (`finishClosing`). Event-log failures never
 * stop a rollback: they are reported as warnings.
 */
import type { StackConfig } from "../../../infra/config";
import type { CliContext } from "../config-restore";
import { withConfigGuard } from "../config-restore";
import type { StackContext } from "../context";
import { GlidepathError, isGlidepathError } from "../errors";
import type { RuntimeEvent, SwarmEvent } from "../events/schema";
import type { RuntimeLog, SwarmSink } from "../events/sinks";
import { readHistory } from "../history";
import { rollbackTo } from "../rollback";
import { pickRestorePoint } from "../rollback-plan";
import { runUp } from "../up";
import { type Closing, clearClosing, markClosing } from "./closing";
import type { AbortCause } from "./decide";
import { promotionConfig } from "./ramp-config";
import { writeStackKeys } from "./stack-file";

const releaseList = (apps: readonly string[], version: string) =>
  apps.map((a) => `${a}@${version}`).join(" ");

/** What every update message of a ramp started with `--override-hold` ends with. */
export const OVERRIDE_HOLD_MARK = "override-hold";

/**
 * Update message of a promotion: `glidepath promote gamma@v2 wix@v2`.
 *
 * @param apps - the promoted apps
 * @param version - their version
 * @param overrideHold - the ramp overrode a failing stack's hold @default false
 */
export function promoteMessage(apps: readonly string[], version: string, overrideHold = false): string {
  return `glidepath promote ${releaseList(apps, version)}${overrideHold ? ` ${OVERRIDE_HOLD_MARK}` : ""}`;
}

/**
 * Update message of a step: `glidepath canary:25 gamma@v2 wix@v2`.
 *
 * @param weight - the step's canary weight
 * @param apps - the ramped apps
 * @param version - the canary version
 * @param overrideHold - the ramp overrode a failing stack's hold @default false
 */
export function stepMessage(
  weight: number,
  apps: readonly string[],
  version: string,
  overrideHold = false,
): string {
  return `glidepath canary:${weight} ${releaseList(apps, version)}${overrideHold ? ` ${OVERRIDE_HOLD_MARK}` : ""}`;
}

/** The first line of an error, for events and reasons. */
export function errorLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}

/** Event logging that never throws: a failure becomes a warning. */
export interface SafeEvents {
  /** Sends a SWARM event of this ramp. */
  swarm(e: Omit<SwarmEvent, "ts" | "stack" | "rampId" | "version" | "apps">): Promise<void>;
  /** Appends a runtime event. */
  record(code: RuntimeEvent["code"], subject?: string, detail?: string): Promise<void>;
}

/**
 * Wraps the sinks of one ramp.
 *
 * @param ramp - stack, ramp id, version and apps every SWARM event carries
 * @param sinks - the SWARM sink and the runtime log
 * @param warn - where failures go
 * @param now - clock @default Date.now
 */
export function safeEvents(
  ramp: { stack: string; rampId: string; version: string; apps: string[] },
  sinks: { swarm: SwarmSink; runtime: RuntimeLog },
  warn: (message: string) => void,
  now: () => number = Date.now,
): SafeEvents {
  const guard = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      warn(`could not record ${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return {
    swarm: (e) =>
      guard(`SWARM event ${e.phase}`, () =>
        sinks.swarm.send({ ts: new Date(now()).toISOString(), ...ramp, ...e }),
      ),
    record: (code, subject, detail) =>
      guard(`runtime event ${code}`, () => sinks.runtime.record(code, subject, detail)),
  };
}

/** What a closing phase needs. */
export interface CloseContext {
  ctx: StackContext;
  cli: CliContext;
  rampId: string;
  version: string;
  apps: string[];
  events: SafeEvents;
  /** The green state the ramp started from. @default - the newest green update */
  restore?: { update: number; digest: string };
  /** The ramp overrode a failing stack's hold. @default false */
  overrideHold?: boolean;
  /** Abandons a rollback in flight (a second signal). @default - never */
  signal?: AbortSignal;
  /** Where warnings go (a mark that cannot be written). @default - the events' warnings */
  warn?: (message: string) => void;
}

/**
 * Rolls the ramp back to the green state it started from (one `up --refresh`, then the
 * target is checked). The closing mark is written first so that a driver killed inside the
 * rollback is finished by the next one; a mark that cannot be written is a warning, never a
 * reason to leave a failed canary live.
 *
 * @param c - the stack and the ramp
 * @param reason - why, for the events
 * @param cause - what rolled it back, kept in the closing mark for a driver that finishes it
 * @throws GlidepathError `GP_ROLLBACK_FAILED` (exit 3); the mark stays, so a re-run retries
 */
export async function closeByRollback(
  c: CloseContext,
  reason: string,
  cause: AbortCause,
): Promise<{ restored: number; message: string }> {
  const stack = c.ctx.stack.name;
  let done: Awaited<ReturnType<typeof rollbackTo>>;
  try {
    try {
      await markClosing(c.ctx.stack, {
        phase: "rolling_back",
        rampId: c.rampId,
        version: c.version,
        apps: c.apps,
        reason,
        cause,
        ...(c.restore ? { restore: c.restore } : {}),
        ...(c.overrideHold ? { overrideHold: true } : {}),
      });
    } catch (e) {
      c.warn?.(`could not mark the rollback in the stack's tags (${errorLine(e)}); rolling back anyway`);
      await c.events.record("case_processing_failed", "rollback mark", errorLine(e));
    }
    const point = pickRestorePoint(
      await readHistory(c.ctx.stack),
      c.restore ? { restore: c.restore } : { green: true },
    );
    done = await rollbackTo(c.ctx, point, { signal: c.signal, reason: `${cause}: ${reason}` });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    await c.events.record("case_processing_failed", "rollback", why.split("\n")[0]);
    const abandoned = c.signal?.aborted ? " (abandoned by a second signal)" : "";
    throw new GlidepathError(
      "GP_ROLLBACK_FAILED",
      `rolling back the ramp of ${c.apps.join(", ")} to ${c.version} failed${abandoned}; the canary may still be live:\n${why}`,
      `fix the cause, then run \`glidepath rollout --stack ${stack} --version ${c.version}\` again to finish the rollback (or \`glidepath rollback --stack ${stack}\`)`,
    );
  }
  await c.events.swarm({
    id: `${c.rampId}:rollback:triggered`,
    phase: "rollback:triggered",
    weight: 0,
    reason,
    update: done.message,
  });
  await c.events.record("rollback_completed", stack, `restored update ${done.restored.version}: ${reason}`);
  try {
    await clearClosing(c.ctx.stack);
  } catch (e) {
    c.warn?.(
      `the rollback is done, but its mark could not be removed (${errorLine(e)}); remove it with \`pulumi stack tag rm glidepath:closing --stack ${stack}\``,
    );
  }
  return { restored: done.restored.version, message: done.message };
}

/**
 * Promotes the ramp: the canary becomes the stable release (weight 0, `CanaryEnabled=false`).
 *
 * @param c - the stack and the ramp
 * @param cfg - the current config (with the ramp pointer, or already promoted by an interrupted run)
 * @returns the promotion's update message
 * @throws GlidepathError `GP_UPDATE_FAILED` (the caller rolls back)
 */
export async function closeByPromotion(c: CloseContext, cfg: StackConfig): Promise<string> {
  await markClosing(c.ctx.stack, {
    phase: "promoting",
    rampId: c.rampId,
    version: c.version,
    apps: c.apps,
    ...(c.restore ? { restore: c.restore } : {}),
    ...(c.overrideHold ? { overrideHold: true } : {}),
  });
  const message = promoteMessage(c.apps, c.version, c.overrideHold);
  await withConfigGuard(c.ctx.stack, async () => {
    if (cfg.ramp !== undefined) {
      await writeStackKeys(c.ctx.projectDir, c.ctx.stack.name, { ...promotionConfig(cfg, cfg.ramp) });
    }
    await runUp(c.ctx.stack, c.cli, message);
  });
  await c.events.swarm({
    id: `${c.rampId}:deploy:complete`,
    phase: "deploy:complete",
    weight: 0,
    update: message,
  });
  await c.events.record("promotion_completed", c.ctx.stack.name, message);
  await clearClosing(c.ctx.stack);
  return message;
}

/**
 * Finishes a closing phase a killed driver left: a rollback is run again; a promotion is run
 * again, and rolled back if it fails.
 *
 * @param c - the stack and the ramp (from the mark)
 * @param cfg - the current config
 * @param closing - the mark
 * @returns the outcome and, for a rollback, what was restored
 */
export async function finishClosing(
  c: CloseContext,
  cfg: StackConfig,
  closing: Closing,
): Promise<
  | { outcome: "promoted"; promotion: string }
  | {
      outcome: "rolled_back";
      reason: string;
      cause: AbortCause;
      rollback: { restored: number; message: string };
    }
> {
  if (closing.phase === "promoting") {
    try {
      return { outcome: "promoted", promotion: await closeByPromotion(c, cfg) };
    } catch (e) {
      const reason = `the promotion failed: ${isGlidepathError(e) ? `${e.code}: ` : ""}${errorLine(e)}`;
      return {
        outcome: "rolled_back",
        reason,
        cause: "error",
        rollback: await closeByRollback(c, reason, "error"),
      };
    }
  }
  const reason = closing.reason ?? "an interrupted rollback";
  const cause = closing.cause ?? "error";
  return { outcome: "rolled_back", reason, cause, rollback: await closeByRollback(c, reason, cause) };
}
