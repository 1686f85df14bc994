/**
 * The glidepath Pulumi program. It only composes: config → one component per concern.
 */
import "./runtime-tuning";
import * as path from "node:path";
import { AppFlags } from "./app-flags";
import { AppRollout } from "./app-rollout";
import { requireProductionApproval } from "./approval-guard";
import { loadProgramConfig } from "./load-config";
import { edgeTarget, programTargets } from "./program-targets";
import { WasmDeliverables } from "./wasm-deliverables";

const config = loadProgramConfig();
requireProductionApproval(config);
const apps = Object.keys(config.apps).sort();
/** Per app on a remote target: the target, as a secret (it carries credentials). */
const targets = programTargets(config);

const rollouts = Object.fromEntries(
  apps.flatMap((app) => {
    const r = config.releases[app];
    if (r === undefined) return [];
    const spec = (ref: { version: string; source: string }) => ({
      version: ref.version,
      source: path.resolve(config.projectDir, ref.source),
    });
    const rollout = new AppRollout(app, {
      app,
      projectDir: config.projectDir,
      stable: spec(r.stable),
      canary: r.canary ? spec(r.canary) : undefined,
      weight: config.weights[app] ?? 0,
      generation: config.generation,
      root: config.localRoot,
      target: targets[app],
    });
    return [[app, rollout]];
  }),
);

// Flags after routes (see AppFlags): a promotion first points the route at the new stable
// release, then turns CanaryEnabled off; a ramp's first step routes before it enables.
const flagsByApp = Object.fromEntries(
  apps.map((app) => [
    app,
    new AppFlags(
      app,
      { app, flags: config.flags[app] ?? {}, root: config.localRoot, target: targets[app] },
      { dependsOn: rollouts[app] ? [rollouts[app]] : [] },
    ),
  ]),
);

const deliverables =
  Object.keys(config.wasm).length > 0
    ? new WasmDeliverables("wasm", {
        wasm: config.wasm,
        projectDir: config.projectDir,
        root: config.localRoot,
        target: edgeTarget(targets),
        signing: config.wasmSigning,
      })
    : undefined;

/** Per app: flag key → value, as published on the target. */
export const flags = Object.fromEntries(Object.entries(flagsByApp).map(([app, c]) => [app, c.values]));
/** Per app: flag key → file on the local target. */
export const flagFiles = Object.fromEntries(Object.entries(flagsByApp).map(([app, c]) => [app, c.files]));
/** Per app: the stable and canary releases (version, digest, path). */
export const releases = Object.fromEntries(
  Object.entries(rollouts).map(([app, r]) => [app, { stable: r.stable, canary: r.canary }]),
);
/** Per app: version → id of the build that produced the release. */
export const builds = Object.fromEntries(Object.entries(rollouts).map(([app, r]) => [app, r.builds]));
/** Per app: the revision of the route the update wrote (the edge names it in each answer). */
export const routeRevisions = Object.fromEntries(
  Object.entries(rollouts).map(([app, r]) => [app, r.revision]),
);
/** Per app: the canary weight. */
export const weights = Object.fromEntries(Object.entries(rollouts).map(([app, r]) => [app, r.weight]));
/** Per blueprint: the WASM artifact's sha, verdict and reason codes. */
export const wasm = deliverables?.summaries ?? {};
/** The environment this stack describes. */
export const environment = config.environment;
/** Root of the local target. */
export const localRoot = config.localRoot;
/** The ramp in progress (written by `glidepath rollout`), or null. */
export const ramp = config.ramp ?? null;
