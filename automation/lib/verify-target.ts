/**
 * After a rollback's update: does the target itself serve the restored config? That is what the
 * edge reads, on the `local` target files under the root, behind the Cloudflare edge Workers KV
 * entries: each app's route (stable version, canary, weight), the releases the route points at,
 * and each configured flag. Reading those costs milliseconds (local) or a few API reads (KV),
 * where a refresh preview costs a whole engine run; it checks what visitors get rather than what
 * the state believes.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { StackConfig } from "../../infra/config";
import { resolveTargets } from "../../infra/target-specs";
import type { RouteDocument } from "../../providers/canary-weight";
import { routeKey } from "../../providers/canary-weight";
import { flagKey } from "../../providers/feature-flag";
import { releaseDir } from "../../providers/release";
import { RELEASE_MANIFEST } from "../../providers/targets/bundle";
import { edgeStoreOf } from "../../providers/targets/edge-store";
import { readGammaRelease } from "../../providers/targets/gamma-release";
import { kvManifestKey } from "../../providers/targets/kv-release";
import type { RemoteTarget } from "../../providers/targets/remote";
import { readWixRelease } from "../../providers/targets/wix-release";
import { GlidepathError } from "./errors";

/** One way the target differs from the config, e.g. `wix: route weight 25, expected 0`. */
export type TargetDrift = string;

/** Whether a release the route names is published on the app's target; the place it was looked for otherwise. */
async function releaseMissing(
  root: string,
  target: RemoteTarget | undefined,
  app: string,
  side: { version: string; digest: string },
): Promise<string | undefined> {
  if (target === undefined) {
    const manifest = path.join(releaseDir(root, app, side.version, side.digest), RELEASE_MANIFEST);
    return (await fs.stat(manifest).catch(() => undefined)) ? undefined : `${manifest} is missing`;
  }
  const named = { app, version: side.version, digest: side.digest };
  if (target.kind === "wix")
    return (await readWixRelease(target, named)) ? undefined : "its Wix record is missing";
  if (target.kind === "gamma")
    return (await readGammaRelease(target, named)) ? undefined : "its Gamma page is missing";
  const key = kvManifestKey(app, side.version, side.digest);
  return (await edgeStoreOf({ target }).readJson(key)).found ? undefined : `KV key ${key} is missing`;
}

/**
 * Compares what the edge reads with a config (pure but for the reads).
 *
 * @param config - the config the stack was rolled back to
 * @param root - the local target's root directory
 * @param env - environment variables (remote targets' credentials) @default process.env
 * @returns every difference found (empty when the target serves the config)
 */
export async function targetDrift(
  config: StackConfig,
  root: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<TargetDrift[]> {
  const resolved = resolveTargets(config, env);
  const remote = resolved.ok ? resolved.byApp : {};
  const at = (app: string) => (remote[app] ? { target: remote[app] } : { root });
  const drift: TargetDrift[] = [];
  for (const [app, r] of Object.entries(config.releases).sort(([a], [b]) => a.localeCompare(b))) {
    const found = await edgeStoreOf(at(app)).readJson(routeKey(app));
    if (!found.found || "corrupt" in found) {
      drift.push(`${app}: route ${found.found ? "unreadable" : "missing"}`);
      continue;
    }
    const route = found.value as Partial<RouteDocument>;
    const weight = config.weights[app] ?? 0;
    if (route.stable?.version !== r.stable.version)
      drift.push(`${app}: route stable ${String(route.stable?.version)}, expected ${r.stable.version}`);
    const canary = route.canary?.version ?? null;
    if (canary !== (r.canary?.version ?? null))
      drift.push(`${app}: route canary ${String(canary)}, expected ${r.canary?.version ?? "none"}`);
    if (route.weight !== weight)
      drift.push(`${app}: route weight ${String(route.weight)}, expected ${weight}`);
    for (const side of [route.stable, route.canary]) {
      if (side?.version === undefined || side.digest === undefined) continue;
      const missing = await releaseMissing(root, remote[app], app, side);
      if (missing !== undefined) drift.push(`${app}: release ${side.version} is not published (${missing})`);
    }
  }
  for (const [app, flags] of Object.entries(config.flags)) {
    for (const [key, value] of Object.entries(flags)) {
      const found = await edgeStoreOf(at(app)).readJson(flagKey(app, key));
      const live =
        found.found && "value" in found ? (found.value as { value?: unknown } | null)?.value : undefined;
      if (live !== value)
        drift.push(`${app}: flag ${key} is ${JSON.stringify(live)}, expected ${JSON.stringify(value)}`);
    }
  }
  return drift;
}

/**
 * Confirms the target serves the config.
 *
 * @param stack - the stack name (for the message)
 * @param config - the config rolled back to
 * @param root - the local target's root
 * @throws GlidepathError `GP_NOT_CONVERGED` (exit 3) listing the differences
 */
export async function verifyTarget(stack: string, config: StackConfig, root: string): Promise<void> {
  const drift = await targetDrift(config, root);
  if (drift.length === 0) return;
  throw new GlidepathError(
    "GP_NOT_CONVERGED",
    `after the update, the target does not serve the restored config:\n${drift.map((d) => `  ${d}`).join("\n")}`,
    `run \`pulumi refresh --stack ${stack}\` to see the drift, then \`glidepath up --stack ${stack}\``,
  );
}
