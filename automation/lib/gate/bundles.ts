/**
 * The bundles of a stack: what a build of it is made of, each with the digest of its content.
 * `<app>@<version>` for every release the stack's config deploys (the digest of its source
 * directory, as the release provider computes it), `wasm:<id>` for every WASM deliverable (the
 * SHA-256 of its module file). {@link buildId} of the result names the build.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { digestDir } from "../../../providers/targets/bundle";
import { stackFileConfig } from "../stack-config";

type Ref = { version?: unknown; source?: unknown };

/**
 * The bundles the stack's config (`Pulumi.<stack>.yaml`) deploys, key → SHA-256 hex, keys sorted.
 *
 * @param projectDir - the project directory (release sources are relative to it)
 * @param stack - the stack
 */
export async function stackBundles(projectDir: string, stack: string): Promise<Record<string, string>> {
  const config = await stackFileConfig(projectDir, stack);
  const out: Record<string, string> = {};
  const releases = (config["glidepath:releases"] ?? {}) as Record<string, Record<string, Ref>>;
  for (const [app, roles] of Object.entries(releases)) {
    for (const ref of Object.values(roles ?? {})) {
      if (typeof ref?.version !== "string" || typeof ref.source !== "string") continue;
      out[`${app}@${ref.version}`] = (await digestDir(path.resolve(projectDir, ref.source))).digest;
    }
  }
  const wasm = (config["glidepath:wasm"] ?? {}) as Record<string, { module?: unknown }>;
  for (const [id, d] of Object.entries(wasm)) {
    if (typeof d?.module !== "string") continue;
    const bytes = await fs.readFile(path.resolve(projectDir, d.module));
    out[`wasm:${id}`] = createHash("sha256").update(bytes).digest("hex");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
