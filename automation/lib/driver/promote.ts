/**
 * Manual promotion (`glidepath promote`): the canaries the stack runs become its stable
 * releases, without waiting for the gate. Used to finish a ramp by hand.
 */
import type { StackConfig } from "../../../infra/config";
import type { StackContext } from "../context";
import { GlidepathError } from "../errors";
import { refuseWhileClosing } from "./closing";
import { closeByPromotion, safeEvents } from "./closing-phases";
import { readHold, refuseIfHeld } from "./hold";
import type { Logs } from "./session";

/** What a promotion did. */
export interface PromoteResult {
  apps: string[];
  version: string;
  message: string;
}

/**
 * Promotes the ramp in progress, or else every app that has a canary (all on one version).
 *
 * @param ctx - the opened stack
 * @param cfg - its validated config
 * @param logs - the event logs
 * @param opts - `overrideHold`: promote on a failing stack (recorded); `warn`: where event-log failures go (default stderr)
 * @throws GlidepathError `GP_ARG_INVALID` (exit 2) when there is nothing to promote or the canaries differ in version,
 *   `GP_CLOSING_PENDING` (exit 2) while a rollback is unfinished, `GP_ROLLOUT_HELD` (exit 2) on a failing stack
 */
export async function promote(
  ctx: StackContext,
  cfg: StackConfig,
  logs: Logs,
  opts: { overrideHold?: boolean; warn?: (message: string) => void } = {},
): Promise<PromoteResult> {
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  await refuseWhileClosing(ctx.stack, `glidepath promote --stack ${ctx.stack.name}`);
  const hold = await readHold(logs.files.runtime, ctx.stack.name);
  const overrideHold = hold.rollout_gate === "hold" && (opts.overrideHold ?? false);
  if (!overrideHold) refuseIfHeld(ctx.stack.name, hold, `glidepath promote --stack ${ctx.stack.name}`);
  else await logs.runtime.record("hold_overridden", ctx.stack.name, `promote: ${hold.reasons.join("; ")}`);
  const canaries = Object.entries(cfg.releases).flatMap(([app, r]) =>
    r.canary ? [[app, r.canary.version] as const] : [],
  );
  const apps = cfg.ramp?.apps ?? canaries.map(([app]) => app).sort();
  const versions = [...new Set(canaries.filter(([app]) => apps.includes(app)).map(([, v]) => v))];
  const version = versions[0];
  if (apps.length === 0 || version === undefined || versions.length > 1) {
    throw new GlidepathError(
      "GP_ARG_INVALID",
      versions.length > 1
        ? `the canaries of stack "${ctx.stack.name}" are on different versions (${canaries.map(([a, v]) => `${a}@${v}`).join(", ")}); nothing was changed`
        : `stack "${ctx.stack.name}" has no canary to promote; nothing was changed`,
      `start a ramp with \`glidepath rollout --stack ${ctx.stack.name} --version <tag>\``,
    );
  }
  const startedAt = new Date().toISOString();
  const ramp = cfg.ramp ?? {
    id: `${version}@manual-${startedAt}`,
    version,
    apps,
    step: 0,
    weight: 100,
    startedAt,
  };
  const rampId = ramp.id;
  const events = safeEvents({ stack: ctx.stack.name, rampId, version, apps }, logs, warn);
  const cli = { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars };
  const message = await closeByPromotion(
    { ctx, cli, rampId, version, apps, events, overrideHold: overrideHold || (ramp.overrideHold ?? false) },
    { ...cfg, ramp },
  );
  return { apps, version, message };
}
