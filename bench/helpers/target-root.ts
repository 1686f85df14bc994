/**
 * A `local` target root filled without the engine, for benchmarks and tests that exercise the
 * edge alone: sample releases published where the Release provider puts them (real digest,
 * `releaseDir`) and route documents written as the CanaryWeight provider writes them.
 */
import * as path from "node:path";
import { type RouteDocument, routeFile, routeOf } from "../../providers/canary-weight";
import { releaseDir } from "../../providers/release";
import { copyDirAtomic, digestDir } from "../../providers/targets/bundle";
import { writeJsonAtomic } from "../../providers/targets/local";
import { ROOT } from "./scratch-project";

/** A published release. */
export interface PublishedRelease {
  version: string;
  digest: string;
}

/**
 * Publishes `apps/<app>/<version>` under a target root.
 *
 * @param root - the target root
 * @param app - the app, e.g. `wix`
 * @param version - the version directory, e.g. `v1`
 */
export async function publishSample(root: string, app: string, version: string): Promise<PublishedRelease> {
  const source = path.join(ROOT, "apps", app, version);
  const { digest } = await digestDir(source);
  await copyDirAtomic(source, releaseDir(root, app, version, digest), {});
  return { version, digest };
}

/**
 * Writes an app's route.
 *
 * @param root - the target root
 * @param app - the app
 * @param stable - its stable release
 * @param canary - its canary release @default - none (weight 0)
 * @param weight - the canary's share @default 0
 */
export async function writeRoute(
  root: string,
  app: string,
  stable: PublishedRelease,
  canary?: PublishedRelease,
  weight = 0,
): Promise<RouteDocument> {
  const doc = routeOf({
    app,
    stable: stable.version,
    stableDigest: stable.digest,
    ...(canary ? { canary: canary.version, canaryDigest: canary.digest } : {}),
    weight: canary ? weight : 0,
    root,
  });
  await writeJsonAtomic(routeFile(root, app), doc);
  return doc;
}
