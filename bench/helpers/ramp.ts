/**
 * Ramps on a scratch project, for e2e tests and benchmarks: extra app versions and the
 * `glidepath rollout` command line with short windows.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** Adds `apps/<app>/<version>/index.html` for wix and gamma to a scratch project. */
export async function addVersion(dir: string, version: string): Promise<void> {
  for (const app of ["wix", "gamma"]) {
    const d = path.join(dir, "apps", app, version);
    await fs.mkdir(d, { recursive: true });
    await fs.writeFile(path.join(d, "index.html"), `<h1>${app} ${version}</h1>\n`);
  }
}

/**
 * `glidepath rollout` on the local stack with windows of seconds.
 *
 * @param version - the canary version
 * @param sloUrl - the SLO endpoint
 * @param extra - more flags @default - none
 * @param window - both bake windows @default "2s"
 * @param interval - the sampling interval @default "500ms"
 * @param stack - the stack @default "local"
 */
export function rolloutArgs(
  version: string,
  sloUrl: string,
  extra: string[] = [],
  window = "2s",
  interval = "500ms",
  stack = "local",
): string[] {
  return [
    "rollout",
    "--stack",
    stack,
    "--version",
    version,
    "--window",
    window,
    "--final-window",
    window,
    "--interval",
    interval,
    "--slo-url",
    sloUrl,
    ...extra,
  ];
}
