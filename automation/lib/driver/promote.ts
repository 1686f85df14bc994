/**
 * Manual promotion (`glidepath promote`): the canaries the stack runs become its stable
 * releases, without waiting for the gate. Used to finish a ramp by hand.
 */
import type { StackConfig } from "../../../infra/config";
import { withConfigGuard } from "../config-restore";
import type { StackContext } from "../context";
import { GlidepathError } from "../errors";
import { type PhaseConfig, promotionConfig } from "./ramp-config";
import { promoteMessage } from "./rollout";
import type { Logs } from "./session";
import { writeStackKeys } from "./stack-file";
import { upStep } from "./up-cli";

/** What a promotion did. */
export interface PromoteResult {
  apps: string[];
  version: string;
  message: string;
}

/**
 * Promotes the ramp in progress, or else every app that has a canary (all on one version).
 *
 * @throws GlidepathError `GP_ARG_INVALID` (exit 2) when there is nothing to promote or the canaries differ in version
 */
export async function promote(ctx: StackContext, cfg: StackConfig, logs: Logs): Promise<PromoteResult> {
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
  const ramp = cfg.ramp ?? {
    id: `${version}@manual`,
    version,
    apps,
    step: 0,
    weight: 100,
    startedAt: new Date().toISOString(),
  };
  const phase: PhaseConfig = promotionConfig(cfg, ramp);
  const message = promoteMessage(apps, version);
  await withConfigGuard(ctx.stack, async () => {
    await writeStackKeys(ctx.projectDir, ctx.stack.name, { ...phase });
    await upStep(ctx.stack, { pulumiBin: ctx.pulumiBin, envVars: ctx.envVars }, message);
  });
  await logs.swarm.send({
    id: `${ramp.id}:deploy:complete`,
    ts: new Date().toISOString(),
    stack: ctx.stack.name,
    phase: "deploy:complete",
    rampId: ramp.id,
    version,
    apps,
    weight: 0,
    reason: "promoted by hand",
    update: message,
  });
  await logs.runtime.record("promotion_completed", ctx.stack.name, message);
  return { apps, version, message };
}
