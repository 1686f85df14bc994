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
import { rollBackRamp } from "./abort";
import { type Closing, clearClosing, markClosing } from "./closing";
import { promotionConfig } from "./ramp-config";
import { writeStackKeys } from "./stack-file";
import { upStep } from "./up-cli";

const releaseList = (apps: readonly string[], version: string) =>
  apps.map((a) => `${a}@${version}`).join(" ");

/** Update message of a promotion: `glidepath promote gamma@v2 wix@v2`. */
export function promoteMessage(apps: readonly string[], version: string): string {
  return `glidepath promote ${releaseList(apps, version)}`;
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
}

/**
 * Rolls the ramp back to the last green state.
 *
 * @param c - the stack and the ramp
 * @param reason - why, for the events
 * @throws GlidepathError `GP_ROLLBACK_FAILED` (exit 1); the mark stays, so a re-run retries
 */
export async function closeByRollback(
  c: CloseContext,
  reason: string,
): Promise<{ restored: number; message: string }> {
  await markClosing(c.ctx.stack, {
    phase: "rolling_back",
    rampId: c.rampId,
    version: c.version,
    apps: c.apps,
    reason,
  });
  let done: Awaited<ReturnType<typeof rollBackRamp>>;
  try {
    done = await rollBackRamp(c.ctx, c.cli);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    await c.events.record("case_processing_failed", "rollback", why.split("\n")[0]);
    const stack = c.ctx.stack.name;
    throw new GlidepathError(
      "GP_ROLLBACK_FAILED",
      `rolling back the ramp of ${c.apps.join(", ")} to ${c.version} failed; the canary may still be live:\n${why}`,
      `fix the cause, then run \`glidepath rollout --stack ${stack} --version ${c.version}\` again to finish the rollback (or \`glidepath rollback --stack ${stack} --to <N>\`)`,
    );
  }
  await c.events.swarm({
    id: `${c.rampId}:rollback:triggered`,
    phase: "rollback:triggered",
    weight: 0,
    reason,
    update: done.message,
  });
  await c.events.record(
    "rollback_completed",
    c.ctx.stack.name,
    `restored update ${done.restored.version}: ${reason}`,
  );
  await clearClosing(c.ctx.stack);
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
  await markClosing(c.ctx.stack, { phase: "promoting", rampId: c.rampId, version: c.version, apps: c.apps });
  const message = promoteMessage(c.apps, c.version);
  await withConfigGuard(c.ctx.stack, async () => {
    if (cfg.ramp !== undefined) {
      await writeStackKeys(c.ctx.projectDir, c.ctx.stack.name, { ...promotionConfig(cfg, cfg.ramp) });
    }
    await upStep(c.ctx.stack, c.cli, message);
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
  | { outcome: "rolled_back"; reason: string; rollback: { restored: number; message: string } }
> {
  if (closing.phase === "promoting") {
    try {
      return { outcome: "promoted", promotion: await closeByPromotion(c, cfg) };
    } catch (e) {
      if (!isGlidepathError(e)) throw e;
      const reason = `the promotion failed: ${e.message.split("\n")[0]}`;
      return { outcome: "rolled_back", reason, rollback: await closeByRollback(c, reason) };
    }
  }
  const reason = closing.reason ?? "an interrupted rollback";
  return { outcome: "rolled_back", reason, rollback: await closeByRollback(c, reason) };
}
