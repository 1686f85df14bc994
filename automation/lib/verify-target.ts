/**
 * After a rollback's update: does the target itself serve the restored config? On the `local`
 * target that is what the edge reads: each app's route (stable version, canary, weight), the
 * release directories the route points at, and each configured flag. Reading those files
 * costs milliseconds, where a refresh preview costs a whole engine run; it checks what
 * visitors get rather than what the state believes.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { StackConfig } from "../../infra/config";
import type { RouteDocument } from "../../providers/canary-weight";
import { routeFile } from "../../providers/canary-weight";
import { releaseDir } from "../../providers/release";
import { RELEASE_MANIFEST } from "../../providers/targets/bundle";
import { flagFile, readJsonFile } from "../../providers/targets/local";
import { GlidepathError } from "./errors";

/** One way the target differs from the config, e.g. `wix: route weight 25, expected 0`. */
export type TargetDrift = string;

/**
 * Compares the local target under `root` with a config (pure but for the file reads).
 *
 * @param config - the config the stack was rolled back to
 * @param root - the local target's root directory
 * @returns every difference found (empty when the target serves the config)
 */
export async function targetDrift(config: StackConfig, root: string): Promise<TargetDrift[]> {
  const drift: TargetDrift[] = [];
  for (const [app, r] of Object.entries(config.releases).sort(([a], [b]) => a.localeCompare(b))) {
    const found = await readJsonFile(routeFile(root, app));
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
      const manifest = path.join(releaseDir(root, app, side.version, side.digest), RELEASE_MANIFEST);
      if (!(await fs.stat(manifest).catch(() => undefined)))
        drift.push(`${app}: release ${side.version} is not published (${manifest} is missing)`);
    }
  }
  for (const [app, flags] of Object.entries(config.flags)) {
    for (const [key, value] of Object.entries(flags)) {
      const found = await readJsonFile(flagFile(root, app, key));
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
