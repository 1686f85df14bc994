/**
 * The config of each ramp phase, as pure functions of the current config: a step puts the
 * canary release beside the stable one at the step's weight with `CanaryEnabled=true`; the
 * promotion makes the canary the stable release at weight 0 with `CanaryEnabled=false`. Only
 * the keys a phase changes are returned (`undefined` removes a key).
 */
import type { RampState, StackConfig } from "../../../infra/config";

/** Keys a ramp phase writes, without the `glidepath:` prefix. */
export interface PhaseConfig {
  releases: StackConfig["releases"];
  weights: StackConfig["weights"];
  flags: StackConfig["flags"];
  /** The ramp pointer; `undefined` removes it. */
  ramp: RampState | undefined;
  /** The desired state's generation: one more than the config's. */
  generation: number;
}

/** Where a version's bundle of an app lives, relative to the project: `apps/<app>/<version>`. */
export function canarySource(app: string, version: string): string {
  return `apps/${app}/${version}`;
}

/**
 * The config of a ramp step.
 *
 * @param cfg - the current config
 * @param ramp - the ramp pointer of the step (its apps, version and weight)
 */
export function stepConfig(cfg: StackConfig, ramp: RampState): PhaseConfig {
  const releases = structuredClone(cfg.releases);
  const weights = { ...cfg.weights };
  const flags = structuredClone(cfg.flags);
  for (const app of ramp.apps) {
    const r = releases[app];
    if (r === undefined) throw new Error(`app ${app} has no stable release`);
    r.canary = { version: ramp.version, source: canarySource(app, ramp.version) };
    weights[app] = ramp.weight;
    flags[app] = { ...(flags[app] ?? {}), CanaryEnabled: true };
  }
  return { releases, weights, flags, ramp, generation: cfg.generation + 1 };
}

/**
 * The config of the promotion: each ramped app's canary becomes its stable release (the old
 * stable is retired), weight 0, `CanaryEnabled=false`, and the ramp pointer is removed.
 *
 * @param cfg - the current config (on the last step of the ramp)
 * @param ramp - the ramp being promoted
 */
export function promotionConfig(cfg: StackConfig, ramp: RampState): PhaseConfig {
  const releases = structuredClone(cfg.releases);
  const weights = { ...cfg.weights };
  const flags = structuredClone(cfg.flags);
  for (const app of ramp.apps) {
    const r = releases[app];
    if (r?.canary === undefined) throw new Error(`app ${app} has no canary release to promote`);
    releases[app] = { stable: r.canary };
    weights[app] = 0;
    flags[app] = { ...(flags[app] ?? {}), CanaryEnabled: false };
  }
  return { releases, weights, flags, ramp: undefined, generation: cfg.generation + 1 };
}
