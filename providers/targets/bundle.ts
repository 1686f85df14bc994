/**
 * Bundles: a directory of files identified by a sha-256 digest of its content, so the same
 * sources always give the same release. Runs in the program and inside serialized providers:
 * Node built-ins are imported inside the functions.
 */

/** The file a published release carries about itself; not part of the digest. */
export const RELEASE_MANIFEST = ".release.json";

/** A symbolic link inside a bundle: its relative path and its target as written. */
export interface BundleLink {
  /** POSIX path of the link, relative to the bundle. */
  rel: string;
  /** The link's target, as stored in the link. */
  target: string;
}

/**
 * Walks a bundle: its regular files and its symbolic links (never followed), each as sorted
 * POSIX relative paths.
 *
 * @param dir - absolute directory path
 * @param skip - relative paths to leave out @default - none
 */
export async function walkBundle(
  dir: string,
  skip: readonly string[] = [],
): Promise<{ files: string[]; links: BundleLink[] }> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const files: string[] = [];
  const links: BundleLink[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (skip.includes(child)) continue;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) files.push(child);
      else if (e.isSymbolicLink())
        links.push({ rel: child, target: await fs.readlink(path.join(dir, child)) });
    }
  };
  await walk("");
  return inPathOrder(files, links);
}

/**
 * A walk's files and links in path order (by UTF-16 code units, as `<` compares), so both walks
 * and every digest list them alike. Pure.
 *
 * @param files - relative POSIX paths of the regular files
 * @param links - the symbolic links
 */
export function inPathOrder(files: string[], links: BundleLink[]): { files: string[]; links: BundleLink[] } {
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { files: [...files].sort(byPath), links: [...links].sort((a, b) => byPath(a.rel, b.rel)) };
}

/**
 * The digest of a walked bundle (pure, given each file's content hash): sha-256 over
 * `<path>\0<sha-256 of content>\n` of every file, then `<path>\0-> <target>\n` of every link.
 *
 * @param files - each file in path order with the hex sha-256 of its content
 * @param links - the links in path order
 * @param sha256 - a sha-256 over UTF-8 text, as hex (node:crypto's; passed in so this stays pure)
 */
export function combineDigest(
  files: readonly { rel: string; sha: string }[],
  links: readonly BundleLink[],
  sha256: (text: string) => string,
): string {
  let text = "";
  for (const f of files) text += `${f.rel}\0${f.sha}\n`;
  for (const link of links) text += `${link.rel}\0-> ${link.target}\n`;
  return sha256(text);
}

/**
 * Lists the regular files under `dir`, recursively, as sorted POSIX relative paths.
 *
 * @param dir - absolute directory path
 * @param skip - relative paths to leave out @default - none
 */
export async function listFiles(dir: string, skip: readonly string[] = []): Promise<string[]> {
  return (await walkBundle(dir, skip)).files;
}

/**
 * The links of a bundle that leave it: an absolute target, or a relative one that resolves
 * (through any further links) outside the bundle's real directory. A bundle is published with
 * its links as links, so only a link that stays inside it keeps meaning the same content.
 *
 * @param dir - absolute directory of the bundle
 * @returns each escaping link with where it leads, in path order
 */
export async function escapingLinks(
  dir: string,
): Promise<{ rel: string; target: string; resolved: string }[]> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const root = await fs.realpath(dir);
  const out: { rel: string; target: string; resolved: string }[] = [];
  for (const link of (await walkBundle(dir)).links) {
    const lexical = path.resolve(path.dirname(path.join(root, link.rel)), link.target);
    const resolved = await fs.realpath(lexical).catch(() => lexical);
    if (linkLeaves(root, link.target, lexical, resolved)) {
      out.push({ rel: link.rel, target: link.target, resolved });
    }
  }
  return out;
}

/**
 * Whether a link leaves the bundle it is in: its target is absolute, or the path it names
 * (`lexical`) or where that leads through further links (`resolved`) is outside `root`.
 * Pure, so the program's config check and the provider apply the same rule.
 *
 * @param root - the bundle's real directory (absolute, POSIX)
 * @param target - the link's target as stored
 * @param lexical - the target resolved against the link's directory, links not followed
 * @param resolved - the real path of `lexical`, or `lexical` when it does not exist
 */
export function linkLeaves(root: string, target: string, lexical: string, resolved: string): boolean {
  const inside = (p: string) => p === root || p.startsWith(`${root}/`);
  return target.startsWith("/") || !inside(lexical) || !inside(resolved);
}

/**
 * The digest of a bundle: sha-256 over `<path>\0<sha-256 of content>\n` of every file, then
 * `<path>\0-> <target>\n` of every symbolic link, each in path order. Names, contents and link
 * targets count; timestamps and modes do not.
 *
 * @param dir - absolute directory path
 * @param skip - relative paths to leave out @default - none
 * @returns the hex digest and the number of files
 */
export async function digestDir(
  dir: string,
  skip: readonly string[] = [],
): Promise<{ digest: string; files: number }> {
  const fs = await import("node:fs/promises");
  const crypto = await import("node:crypto");
  const { files, links } = await walkBundle(dir, skip);
  const hashed: { rel: string; sha: string }[] = [];
  for (const rel of files)
    hashed.push({
      rel,
      sha: crypto
        .createHash("sha256")
        .update(await fs.readFile(`${dir}/${rel}`))
        .digest("hex"),
    });
  const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
  return { digest: combineDigest(hashed, links, sha256), files: files.length };
}

/**
 * {@link digestDir}, synchronously: for the program's checks that must finish before it
 * declares a resource (the production approval check). The same walk and the same digest.
 *
 * @param dir - absolute directory path
 */
export function digestDirSync(dir: string): string {
  const fs = require("node:fs") as typeof import("node:fs");
  const crypto = require("node:crypto") as typeof import("node:crypto");
  const found: string[] = [];
  const foundLinks: BundleLink[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(rel ? `${dir}/${rel}` : dir, { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) found.push(child);
      else if (e.isSymbolicLink())
        foundLinks.push({ rel: child, target: fs.readlinkSync(`${dir}/${child}`) });
    }
  };
  walk("");
  const { files, links } = inPathOrder(found, foundLinks);
  const sha256 = (b: string | Buffer) => crypto.createHash("sha256").update(b).digest("hex");
  const hashed = files.map((rel) => ({ rel, sha: sha256(fs.readFileSync(`${dir}/${rel}`)) }));
  return combineDigest(hashed, links, sha256);
}

/**
 * Copies a directory to `dest` atomically: into a sibling temp directory first, then a rename.
 * An existing `dest` is swapped out by a second rename and then removed, so a reader finds the
 * old tree or the new one, never a half-written one. Symbolic links are copied as links, their
 * targets as written.
 *
 * @param src - directory to copy
 * @param dest - final directory
 * @param extra - additional files to write into the copy (relative path → content)
 */
export async function copyDirAtomic(
  src: string,
  dest: string,
  extra: Readonly<Record<string, string>>,
): Promise<void> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`;
  await fs.cp(src, tmp, { recursive: true, verbatimSymlinks: true });
  for (const [rel, text] of Object.entries(extra)) await fs.writeFile(path.join(tmp, rel), text);
  const old = `${dest}.${process.pid}.${Date.now()}.old`;
  const swapped = await fs.rename(dest, old).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return false;
      throw e;
    },
  );
  await fs.rename(tmp, dest);
  if (swapped) await fs.rm(old, { recursive: true, force: true });
}

/**
 * Removes a directory tree and then its parent if that is now empty.
 *
 * @param dir - directory to remove
 */
export async function removeDir(dir: string): Promise<void> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  await fs.rm(dir, { recursive: true, force: true });
  try {
    await fs.rmdir(path.dirname(dir));
  } catch {
    // not empty, or already gone
  }
}
