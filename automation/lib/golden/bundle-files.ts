/**
 * A build's bundles as archive members and back: each release's source directory under
 * `<app>@<version>/`, each WASM module as `wasm/<id>/<file name>`; and, for a restore, the
 * bundles whose sources no longer hold the archived bytes, extracted into the project.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { digestDir, walkBundle } from "../../../providers/targets/bundle";
import { configValue, type HistoryConfigValue } from "../history";
import type { ArchiveEntry } from "./archive";

type Config = Readonly<Record<string, HistoryConfigValue>>;
type Ref = { version: string; source: string };

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The releases (`<app>@<version>` → ref) and WASM modules (`wasm:<id>` → path) a config deploys. */
export function configBundles(config: Config): { releases: Map<string, Ref>; wasm: Map<string, string> } {
  const releases = new Map<string, Ref>();
  for (const [app, r] of Object.entries(record(configValue(config["glidepath:releases"])))) {
    for (const side of ["stable", "canary"]) {
      const ref = record(record(r)[side]);
      if (typeof ref.version === "string" && typeof ref.source === "string")
        releases.set(`${app}@${ref.version}`, { version: ref.version, source: ref.source });
    }
  }
  const wasm = new Map<string, string>();
  for (const [id, w] of Object.entries(record(configValue(config["glidepath:wasm"]))))
    if (typeof record(w).module === "string") wasm.set(`wasm:${id}`, record(w).module as string);
  return { releases, wasm };
}

/** The archive member prefix of a bundle key. */
function memberDir(key: string, file?: string): string {
  return key.startsWith("wasm:") ? `wasm/${key.slice(5)}/${file ?? ""}` : `${key}/`;
}

/**
 * The archive members of a config's bundles, read from the project.
 *
 * @param projectDir - the project directory
 * @param config - the config whose bundles to archive
 */
export async function bundleEntries(projectDir: string, config: Config): Promise<ArchiveEntry[]> {
  const { releases, wasm } = configBundles(config);
  const out: ArchiveEntry[] = [];
  for (const [key, ref] of releases) {
    const dir = path.resolve(projectDir, ref.source);
    const { files, links } = await walkBundle(dir);
    for (const rel of files)
      out.push({ name: `${memberDir(key)}${rel}`, data: await fs.readFile(path.join(dir, rel)) });
    for (const l of links) out.push({ name: `${memberDir(key)}${l.rel}`, link: l.target });
  }
  for (const [key, module] of wasm)
    out.push({
      name: memberDir(key, path.basename(module)),
      data: await fs.readFile(path.resolve(projectDir, module)),
    });
  return out;
}

/** The digest of a bundle as its source holds it now (undefined when missing). */
async function currentDigest(projectDir: string, key: string, at: string): Promise<string | undefined> {
  const abs = path.resolve(projectDir, at);
  try {
    if (key.startsWith("wasm:"))
      return createHash("sha256")
        .update(await fs.readFile(abs))
        .digest("hex");
    return (await digestDir(abs)).digest;
  } catch {
    return undefined;
  }
}

/**
 * Puts back the bundles of a golden config whose sources changed since the tag: each is
 * extracted from the archive under `restoreDir` (relative to the project) and the returned
 * config points there; bundles whose sources still hold the archived bytes are left as they are.
 *
 * @param projectDir - the project directory
 * @param config - the tag's config
 * @param bundles - the tag's bundle digests
 * @param members - the archive's members
 * @param restoreDir - where to extract, relative to the project, e.g. `.glidepath/golden/local/prod-2026-12-02`
 * @returns the config to restore and the keys extracted
 */
export async function restoreBundles(
  projectDir: string,
  config: Config,
  bundles: Readonly<Record<string, string>>,
  members: readonly ArchiveEntry[],
  restoreDir: string,
): Promise<{ config: Record<string, HistoryConfigValue>; extracted: string[] }> {
  const { releases, wasm } = configBundles(config);
  const extracted: string[] = [];
  const moved = new Map<string, string>();
  for (const [key, at] of [...[...releases].map(([k, r]) => [k, r.source] as const), ...wasm]) {
    if ((await currentDigest(projectDir, key, at)) === bundles[key]) continue;
    const prefix = memberDir(key, key.startsWith("wasm:") ? path.basename(at) : undefined);
    const dest = path.join(
      restoreDir,
      key.startsWith("wasm:") ? `wasm/${key.slice(5)}` : key.replace("@", "/"),
    );
    await fs.rm(path.resolve(projectDir, dest), { recursive: true, force: true });
    for (const m of members) {
      if (key.startsWith("wasm:") ? m.name !== prefix : !m.name.startsWith(prefix)) continue;
      const rel = key.startsWith("wasm:") ? path.basename(at) : m.name.slice(prefix.length);
      const file = path.resolve(projectDir, dest, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      if ("link" in m) await fs.symlink(m.link, file);
      else await fs.writeFile(file, m.data);
    }
    moved.set(key, key.startsWith("wasm:") ? path.posix.join(dest, path.basename(at)) : dest);
    extracted.push(key);
  }
  if (moved.size === 0) return { config: { ...config }, extracted };
  const out: Record<string, HistoryConfigValue> = { ...config };
  const rel = record(structuredClone(configValue(config["glidepath:releases"])));
  for (const [app, r] of Object.entries(rel))
    for (const side of ["stable", "canary"]) {
      const ref = record(record(r)[side]);
      const to = moved.get(`${app}@${String(ref.version)}`);
      if (to !== undefined) ref.source = to;
    }
  if (config["glidepath:releases"] !== undefined)
    out["glidepath:releases"] = { value: JSON.stringify(rel), objectValue: rel, secret: false };
  const w = record(structuredClone(configValue(config["glidepath:wasm"])));
  for (const [id, d] of Object.entries(w)) {
    const to = moved.get(`wasm:${id}`);
    if (to !== undefined) record(d).module = to;
  }
  if (config["glidepath:wasm"] !== undefined)
    out["glidepath:wasm"] = { value: JSON.stringify(w), objectValue: w, secret: false };
  return { config: out, extracted };
}
