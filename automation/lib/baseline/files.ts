/**
 * Where a stack's baseline lives and what it watches: `baselines/<stack>/deploy_baseline.env`
 * in the project (committed, changed through review), its acceptance beside it, and the counts
 * of every file of each app's release under judgment (the canary when one is configured, else
 * the stable release).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { listFiles, RELEASE_MANIFEST } from "../../../providers/targets/bundle";
import type { StackRelease } from "../gate/bundles";
import { countFile, type FileCounts } from "./format";

/** The baseline's file name (kept from the release protocol it replaces). */
export const BASELINE_FILE = "deploy_baseline.env";
/** The acceptance's file name, beside the baseline. */
export const ACCEPTANCE_FILE = "deploy_baseline.accept.json";

/**
 * The directory of a stack's baseline.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export function baselineDir(projectDir: string, stack: string): string {
  return path.join(projectDir, "baselines", stack);
}

/**
 * The baseline file of a stack.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export function baselineFile(projectDir: string, stack: string): string {
  return path.join(baselineDir(projectDir, stack), BASELINE_FILE);
}

/**
 * The acceptance file of a stack's baseline.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export function acceptanceFile(projectDir: string, stack: string): string {
  return path.join(baselineDir(projectDir, stack), ACCEPTANCE_FILE);
}

/**
 * A file's bytes, or undefined when it does not exist.
 *
 * @param file - the file
 */
export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * The release of each app under judgment: its canary when one is configured, else its stable one.
 *
 * @param releases - the stack's releases
 */
export function judgedReleases(releases: readonly StackRelease[]): StackRelease[] {
  const byApp = new Map<string, StackRelease>();
  for (const r of releases) if (r.role === "canary" || !byApp.has(r.app)) byApp.set(r.app, r);
  return [...byApp.values()].sort((a, b) => a.app.localeCompare(b.app));
}

/**
 * The counts of every watched file: each file of each judged release, named `<app>/<path>`.
 *
 * @param releases - the stack's releases
 */
export async function watchedCounts(releases: readonly StackRelease[]): Promise<Record<string, FileCounts>> {
  const out: Record<string, FileCounts> = {};
  for (const r of judgedReleases(releases)) {
    for (const rel of await listFiles(r.dir, [RELEASE_MANIFEST]))
      out[`${r.app}/${rel}`] = countFile(await fs.readFile(path.join(r.dir, rel)));
  }
  return out;
}
