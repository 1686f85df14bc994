/**
 * A bundle as an index: each file's path and sha-256, each link's path and target. Remote
 * targets store the index instead of a directory (KV holds each file once under its sha-256;
 * the Wix record carries the index), and the bundle's digest is recomputed from it with the same
 * formula as `digestDir`, so a hand-edited index shows up as a changed digest.
 */
import { walkBundle } from "./bundle";

/** A bundle's index. */
export interface BundleIndex {
  /** POSIX path → sha-256 (hex) of the content; a link's path maps to its target's content. */
  files: Record<string, string>;
  /** POSIX path of each link → its target as written (links inside the bundle only). */
  links: Record<string, string>;
}

/**
 * Reads a bundle directory into its index and the file contents by sha-256.
 *
 * @param dir - absolute directory of the bundle
 */
export async function indexBundle(dir: string): Promise<{ index: BundleIndex; blobs: Map<string, Buffer> }> {
  const fs = await import("node:fs/promises");
  const crypto = await import("node:crypto");
  const { files, links } = await walkBundle(dir);
  const index: BundleIndex = { files: {}, links: {} };
  const blobs = new Map<string, Buffer>();
  const add = async (rel: string) => {
    const bytes = await fs.readFile(`${dir}/${rel}`);
    const sha = crypto.createHash("sha256").update(bytes).digest("hex");
    index.files[rel] = sha;
    blobs.set(sha, bytes);
  };
  for (const rel of files) await add(rel);
  for (const link of links) {
    index.links[link.rel] = link.target;
    await add(link.rel).catch(() => undefined);
  }
  return { index, blobs };
}

/**
 * The digest of an indexed bundle: sha-256 over `<path>\0<sha>\n` of every regular file, then
 * `<path>\0-> <target>\n` of every link, each in path order (the formula of `digestDir`).
 *
 * @param index - the bundle's index
 * @returns the digest and the number of regular files
 */
export async function digestIndex(index: BundleIndex): Promise<{ digest: string; files: number }> {
  const crypto = await import("node:crypto");
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const regular = Object.keys(index.files)
    .filter((rel) => !(rel in index.links))
    .sort(byPath);
  const outer = crypto.createHash("sha256");
  for (const rel of regular) outer.update(`${rel}\0${index.files[rel]}\n`);
  for (const rel of Object.keys(index.links).sort(byPath)) outer.update(`${rel}\0-> ${index.links[rel]}\n`);
  return { digest: outer.digest("hex"), files: regular.length };
}

/**
 * Whether a value read back from a target is a bundle index.
 *
 * @param v - parsed JSON
 */
export function isBundleIndex(v: unknown): v is BundleIndex {
  const isMap = (m: unknown) =>
    m !== null && typeof m === "object" && Object.values(m).every((x) => typeof x === "string");
  return (
    v !== null && typeof v === "object" && isMap((v as BundleIndex).files) && isMap((v as BundleIndex).links)
  );
}
