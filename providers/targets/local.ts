/**
 * The `local` release target: everything it publishes is a file under a root directory,
 * written atomically (temp file + rename) so a reader such as the local edge never sees
 * half a file.
 *
 * These functions run inside dynamic providers, whose code Pulumi serializes into state:
 * they import Node built-ins inside their bodies and capture nothing else.
 */

/**
 * A target root without trailing slashes: `/t/` and `/t` are the same target, so every path
 * under a root and every comparison of roots goes through this.
 *
 * @param root - absolute root directory of the target
 */
export function trimRoot(root: string): string {
  return root.replace(/\/+$/, "");
}

/** Where a feature flag lives under a target root: `<root>/flags/<app>/<key>.json`. */
export function flagFile(root: string, app: string, key: string): string {
  return `${trimRoot(root)}/flags/${app}/${key}.json`;
}

/**
 * Writes `data` as pretty JSON to `file` atomically, creating parent directories.
 *
 * @param file - absolute path of the file to write
 * @param data - any JSON-serializable value
 */
export async function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o644 });
  await fs.rename(tmp, file);
}

/** The outcome of reading a JSON file from the target. */
export type ReadJson = { found: false } | { found: true; value: unknown } | { found: true; corrupt: string };

/**
 * Reads a JSON file; a missing file is `found: false`, unparsable text is `corrupt`.
 *
 * @param file - absolute path of the file to read
 */
export async function readJsonFile(file: string): Promise<ReadJson> {
  const fs = await import("node:fs/promises");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { found: false };
    throw e;
  }
  try {
    return { found: true, value: JSON.parse(text) };
  } catch {
    return { found: true, corrupt: text.slice(0, 200) };
  }
}

/**
 * Removes a file if present, then its parent directory if that is now empty.
 *
 * @param file - absolute path of the file to remove
 */
export async function removeFile(file: string): Promise<void> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  await fs.rm(file, { force: true });
  try {
    await fs.rmdir(path.dirname(file));
  } catch {
    // not empty, or already gone: both fine
  }
}
