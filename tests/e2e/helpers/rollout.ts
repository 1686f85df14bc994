/**
 * Shared pieces of the rollout e2e tests: extra app versions, the local target's routes, the
 * SWARM log, and the rollout command line with short windows.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { swarmEventSchema } from "../../../automation/lib/events/schema";

/** Adds `apps/<app>/<version>/index.html` for wix and gamma to a scratch project. */
export async function addVersion(dir: string, version: string): Promise<void> {
  for (const app of ["wix", "gamma"]) {
    const d = path.join(dir, "apps", app, version);
    await fs.mkdir(d, { recursive: true });
    await fs.writeFile(path.join(d, "index.html"), `<h1>${app} ${version}</h1>\n`);
  }
}

/** The route the local target serves for an app. */
export async function readRoute(dir: string, app: string): Promise<Record<string, unknown>> {
  return JSON.parse(
    await fs.readFile(path.join(dir, ".glidepath/targets/local/routes", `${app}.json`), "utf8"),
  );
}

/** The SWARM events of the project, oldest first (each line validated). */
export async function readEvents(dir: string) {
  const text = await fs.readFile(path.join(dir, "artifacts/swarm-events.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => swarmEventSchema.parse(JSON.parse(l)));
}

/** `glidepath rollout` on the local stack with windows of seconds. */
export function rolloutArgs(version: string, sloUrl: string, extra: string[] = [], window = "2s"): string[] {
  return [
    "rollout",
    "--stack",
    "local",
    "--version",
    version,
    "--window",
    window,
    "--final-window",
    window,
    "--interval",
    "500ms",
    "--slo-url",
    sloUrl,
    ...extra,
  ];
}
