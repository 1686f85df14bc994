/**
 * Shared pieces of the rollout e2e tests: the local target's routes and the SWARM log (extra
 * versions and the rollout command line are shared with the benchmarks).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { swarmEventSchema } from "../../../automation/lib/events/schema";

export { addVersion, rolloutArgs } from "../../../bench/helpers/ramp";

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
