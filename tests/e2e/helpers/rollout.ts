/**
 * Shared pieces of the rollout e2e tests: the local target's routes and the SWARM log (extra
 * versions and the rollout command line are shared with the benchmarks).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { expect } from "vitest";
import { swarmEventSchema } from "../../../automation/lib/events/schema";
import { addVersion } from "../../../bench/helpers/ramp";
import {
  makeProject,
  type ScratchOptions,
  type ScratchProject,
} from "../../../bench/helpers/scratch-project";

export { addVersion, rolloutArgs } from "../../../bench/helpers/ramp";

/**
 * A scratch project whose local stack is green: initialised, one secret set (so the scans
 * have a real secret to look for), one `glidepath up`, then the extra versions to ramp to.
 *
 * @param binDir - the toolchain's bin directory
 * @param secret - the secret config key and its value
 * @param versions - app versions added after the up @default - none
 * @param opts - the backend @default - a file backend of its own
 */
export async function greenProject(
  binDir: string,
  secret: { key: string; value: string },
  versions: readonly string[] = [],
  opts: ScratchOptions = {},
): Promise<ScratchProject> {
  const p = await makeProject(binDir, opts);
  expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
  const set = await p.pulumi(["config", "set", "--secret", secret.key, secret.value, "--stack", "local"]);
  expect(set.code, set.stderr).toBe(0);
  const up = await p.glidepath(["up", "--stack", "local"]);
  expect(up.code, up.stderr).toBe(0);
  for (const v of versions) await addVersion(p.dir, v);
  return p;
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

/**
 * Polls `f` every 100 ms until it is true.
 *
 * @param f - the condition
 * @param ms - how long to wait at most
 * @param what - what is awaited, for the timeout's message
 */
export async function until(f: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
