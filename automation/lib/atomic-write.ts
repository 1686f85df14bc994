/**
 * Atomic file writes for the driver, the CLI, the edge host and the build steps: the content
 * goes to a temp file beside the target, then a rename puts it in place, so a reader (or a
 * kill mid-write) never sees half a file. The temp name carries the pid and a random nonce, so
 * two writers of one process never share a temp file, and the temp file is removed on every
 * failure path. (The dynamic providers keep their own copies: they are serialized into state
 * and must not import this module.)
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** Options of {@link writeFileAtomic} and {@link copyFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the result. @default - 0o666 minus the umask (`fs.writeFile`'s default); a copy keeps the source's */
  mode?: number;
  /** Create the parent directory when it is missing. @default true */
  mkdir?: boolean;
}

/**
 * A fresh temp path beside `file`: `<file>.<pid>.<nonce>.tmp`.
 *
 * @param file - the target
 */
export function tempPathFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
}

async function place(
  file: string,
  opts: AtomicWriteOptions,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  if (opts.mkdir ?? true) await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    await fill(tmp);
    if (opts.mode !== undefined) await fs.chmod(tmp, opts.mode);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/**
 * Writes `data` to `file` atomically (temp file, then rename).
 *
 * @param file - the target path
 * @param data - the content
 * @param opts - mode and parent creation @default - `{}`
 * @throws the underlying I/O error (for example `EISDIR`); the temp file is gone by then
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await place(file, opts, (tmp) =>
    fs.writeFile(tmp, data, opts.mode === undefined ? {} : { mode: opts.mode }),
  );
}

/**
 * Copies `src` to `dest` atomically (temp file, then rename).
 *
 * @param src - the file to copy
 * @param dest - the target path
 * @param opts - mode (for example 0o755 for a binary) and parent creation @default - `{}`
 */
export async function copyFileAtomic(
  src: string,
  dest: string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await place(dest, opts, (tmp) => fs.copyFile(src, tmp));
}
