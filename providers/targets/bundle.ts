/**
 * Bundles: a directory of files identified by a sha-256 digest of its content, so the same
 * sources always give the same release. Runs in the program and inside serialized providers:
 * Node built-ins are imported inside the functions.
 */

/** The file a published release carries about itself; not part of the digest. */
export const RELEASE_MANIFEST = ".release.json";

/**
 * Lists the regular files under `dir`, recursively, as sorted POSIX relative paths.
 *
 * @param dir - absolute directory path
 * @param skip - relative paths to leave out @default - none
 */
export async function listFiles(dir: string, skip: readonly string[] = []): Promise<string[]> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile() && !skip.includes(child)) out.push(child);
    }
  };
  await walk("");
  return out.sort();
}

/**
 * The digest of a bundle: sha-256 over `<path>\0<sha-256 of content>\n` of every file, in
 * path order. Names and contents count; timestamps and modes do not.
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
  const files = await listFiles(dir, skip);
  const outer = crypto.createHash("sha256");
  for (const rel of files) {
    const inner = crypto
      .createHash("sha256")
      .update(await fs.readFile(`${dir}/${rel}`))
      .digest("hex");
    outer.update(`${rel}\0${inner}\n`);
  }
  return { digest: outer.digest("hex"), files: files.length };
}

/**
 * Copies a directory to `dest` atomically: into a sibling temp directory first, then one
 * rename. `dest` must not exist.
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
  await fs.cp(src, tmp, { recursive: true });
  for (const [rel, text] of Object.entries(extra)) await fs.writeFile(path.join(tmp, rel), text);
  await fs.rename(tmp, dest);
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
