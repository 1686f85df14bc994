/**
 * A stack's bundles: what its releases and WASM deliverables are made of, by content. The key
 * of a release is `<app>@<version>` and its digest the release source directory's
 * {@link digestDir} (what the release provider publishes); the key of a deliverable is
 * `wasm:<blueprint id>` and its digest the SHA-256 of the module its manifest names (a `.wat`
 * source assembled in memory, as its build does). The gate binds its verdict to these, and
 * production admission compares them with the verdict's.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { assembleWat, isWatSource } from "../../../infra/wat";
import { digestDir } from "../../../providers/targets/bundle";
import { stackFileConfig } from "../stack-config";

/** One release a stack deploys, as its stack file names it. */
export interface StackRelease {
  /** The app. */
  app: string;
  /** The release's version. */
  version: string;
  /** `stable` or `canary`. */
  role: "stable" | "canary";
  /** Its source directory, absolute. */
  dir: string;
}

/** One WASM deliverable a stack deploys. */
export interface StackModule {
  /** The blueprint id. */
  id: string;
  /** The module file (`.wasm` or `.wat`), absolute. */
  file: string;
}

type Ref = { version?: unknown; source?: unknown };

/**
 * The releases and WASM modules the stack file names (`glidepath:releases`, `glidepath:wasm`),
 * in key order. Malformed entries are left out: config validation reports them.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export async function stackParts(
  projectDir: string,
  stack: string,
): Promise<{ releases: StackRelease[]; modules: StackModule[] }> {
  const config = await stackFileConfig(projectDir, stack);
  const releases: StackRelease[] = [];
  const rel = config["glidepath:releases"];
  if (rel !== null && typeof rel === "object") {
    for (const [app, r] of Object.entries(rel as Record<string, Record<string, Ref>>).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      for (const role of ["stable", "canary"] as const) {
        const ref = r?.[role];
        if (typeof ref?.version !== "string" || typeof ref.source !== "string") continue;
        releases.push({ app, version: ref.version, role, dir: path.resolve(projectDir, ref.source) });
      }
    }
  }
  const modules: StackModule[] = [];
  const wasm = config["glidepath:wasm"];
  if (wasm !== null && typeof wasm === "object") {
    for (const [id, w] of Object.entries(wasm as Record<string, { module?: unknown }>).sort(([a], [b]) =>
      a.localeCompare(b),
    ))
      if (typeof w?.module === "string") modules.push({ id, file: path.resolve(projectDir, w.module) });
  }
  return { releases, modules };
}

/**
 * The SHA-256 of a deliverable's module: of the file for a `.wasm`, of the assembled bytes for a `.wat`.
 *
 * @param file - the module file
 */
export async function moduleDigest(file: string): Promise<string> {
  const raw = await fs.readFile(file);
  const bytes = isWatSource(file) ? await assembleWat(raw.toString("utf8")) : raw;
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The bundles of a stack: bundle key → SHA-256 hex, keys sorted.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @throws Error when a source or module cannot be read (config validation names it first)
 */
export async function stackBundles(projectDir: string, stack: string): Promise<Record<string, string>> {
  const { releases, modules } = await stackParts(projectDir, stack);
  const out: Record<string, string> = {};
  for (const r of releases) out[`${r.app}@${r.version}`] = (await digestDir(r.dir)).digest;
  for (const m of modules) out[`wasm:${m.id}`] = await moduleDigest(m.file);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
