/**
 * Manual promotion (`glidepath promote`): the canaries the stack runs become its stable
 * releases, without waiting for the gate. Used to finish a ramp by hand.
 */
import type { StackConfig } from "../../../infra/config";
import type { StackContext } from "../context";
import { GlidepathError } from "../errors";
import { closeByPromotion, safeEvents } from "./closing-phases";
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
 * @param warn - where event-log failures go @default - stderr
 * @throws GlidepathError `GP_ARG_INVALID` (exit 2) when there is nothing to promote or the canaries differ in version
 */
export async function promote(
  ctx: StackContext,
  cfg: StackConfig,
  logs: Logs,
  warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
): Promise<PromoteResult> {
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
  const message = await closeByPromotion({ ctx, cli, rampId, version, apps, events }, { ...cfg, ramp });
  return { apps, version, message };
}
