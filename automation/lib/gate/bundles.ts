/**
 * A stack's bundles: what its config deploys, each named and digested, the input of
 * {@link buildId}. `<app>@<version>` for each release (stable and canary) → the `digestDir` of
 * its source directory; `wasm:<id>` for each WASM deliverable → the SHA-256 of its module file.
 * Read from the stack's config file in the working copy (which `stackContext` keeps in step with
 * the backend).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { digestDir } from "../../../providers/targets/bundle";
import { stackFileConfig } from "../stack-config";

type ReleaseRef = { version?: unknown; source?: unknown };

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * The bundles a stack's config deploys.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @returns bundle key → SHA-256 hex, keys sorted
 */
export async function stackBundles(projectDir: string, stack: string): Promise<Record<string, string>> {
  const config = await stackFileConfig(projectDir, stack);
  const out: Record<string, string> = {};
  for (const [app, r] of Object.entries(record(config["glidepath:releases"]))) {
    for (const side of ["stable", "canary"] as const) {
      const ref = record(r)[side] as ReleaseRef | undefined;
      if (typeof ref?.version !== "string" || typeof ref.source !== "string") continue;
      out[`${app}@${ref.version}`] = (await digestDir(path.resolve(projectDir, ref.source))).digest;
    }
  }
  for (const [id, w] of Object.entries(record(config["glidepath:wasm"]))) {
    const module = record(w).module;
    if (typeof module !== "string") continue;
    const bytes = await fs.readFile(path.resolve(projectDir, module));
    out[`wasm:${id}`] = createHash("sha256").update(bytes).digest("hex");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
