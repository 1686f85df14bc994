/**
 * The bundles a stack deploys, each with its digest: `<app>@<version>` for every release its
 * config names (stable and canary; the digest of the release's source directory) and
 * `wasm:<id>` for every WASM deliverable (the SHA-256 of its module file). What a gate verdict
 * and an approval are bound to.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { parse } from "yaml";
import { digestDir } from "../../../providers/targets/bundle";

interface ReleaseRef {
  version?: unknown;
  source?: unknown;
}

/**
 * A stack's bundles, read from its stack file (`Pulumi.<stack>.yaml`).
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @returns bundle key → SHA-256 hex
 */
export async function stackBundles(projectDir: string, stack: string): Promise<Record<string, string>> {
  const text = await fs.readFile(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8").catch(() => "");
  const config = ((parse(text) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
  const out: Record<string, string> = {};
  const releases = (config["glidepath:releases"] ?? {}) as Record<string, Record<string, ReleaseRef>>;
  for (const [app, r] of Object.entries(releases)) {
    for (const ref of [r.stable, r.canary]) {
      if (typeof ref?.version !== "string" || typeof ref.source !== "string") continue;
      out[`${app}@${ref.version}`] = (await digestDir(path.resolve(projectDir, ref.source))).digest;
    }
  }
  const wasm = (config["glidepath:wasm"] ?? {}) as Record<string, { module?: unknown }>;
  for (const [id, w] of Object.entries(wasm)) {
    if (typeof w.module !== "string") continue;
    const bytes = await fs.readFile(path.resolve(projectDir, w.module));
    out[`wasm:${id}`] = createHash("sha256").update(bytes).digest("hex");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
