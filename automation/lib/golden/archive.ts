/**
 * The golden archive: a POSIX ustar stream of a build's bundles whose bytes depend on nothing
 * but the bundles' names and contents. Entries are sorted by name (byte order); every header has
 * mtime 0, uid/gid 0, no user or group names, mode 0644 for files and 0777 for symbolic links;
 * directories are not stored (a reader creates them); no PAX headers, no compression. The same
 * bundles give the same bytes under any umask, time zone, user or file times, so its SHA-256 is
 * the archive's identity. Written here rather than with a tar package because every field that
 * a general tar writer takes from the file system (mode, times, owner) has to be overridden
 * anyway, and the format of regular files and links is a 512-byte header each.
 */
import { createHash } from "node:crypto";

/** One member: a regular file (`data`) or a symbolic link (`link`, its target as written). */
export type ArchiveEntry = { name: string; data: Buffer } | { name: string; link: string };

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, "0")}\0`;
}

/** Splits a name into ustar's prefix (≤ 155) and name (≤ 100) at a `/`. */
function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", name };
  for (let i = name.indexOf("/"); i >= 0; i = name.indexOf("/", i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new Error(`archive member name too long for ustar: ${name}`);
}

function header(e: ArchiveEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitName(e.name);
  const isLink = "link" in e;
  if (isLink && Buffer.byteLength(e.link) > 100) throw new Error(`link target too long for ustar: ${e.name}`);
  h.write(name, 0, 100, "utf8");
  h.write(octal(isLink ? 0o777 : 0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(isLink ? 0 : e.data.length, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write(isLink ? "2" : "0", 156, "ascii");
  if (isLink) h.write(e.link, 157, 100, "utf8");
  h.write("ustar\u000000", 257, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

const byName = (a: ArchiveEntry, b: ArchiveEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The archive of some entries (sorted here; duplicate names are refused).
 *
 * @param entries - the members, in any order
 */
export function writeArchive(entries: readonly ArchiveEntry[]): Buffer {
  const sorted = [...entries].sort(byName);
  const parts: Buffer[] = [];
  sorted.forEach((e, i) => {
    if (i > 0 && sorted[i - 1]?.name === e.name) throw new Error(`duplicate archive member ${e.name}`);
    parts.push(header(e));
    if ("data" in e) {
      parts.push(e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad > 0) parts.push(Buffer.alloc(pad));
    }
  });
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * Reads back what {@link writeArchive} wrote (regular files and links only).
 *
 * @param bytes - the archive
 * @throws Error on a header whose checksum does not match or an unsupported member type
 */
export function readArchive(bytes: Buffer): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  for (let at = 0; at + BLOCK <= bytes.length; ) {
    const h = bytes.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const field = (o: number, n: number) =>
      h
        .subarray(o, o + n)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    let sum = 0;
    h.forEach((b, i) => {
      sum += i >= 148 && i < 156 ? 32 : b;
    });
    if (Number.parseInt(field(148, 8).trim(), 8) !== sum)
      throw new Error(`bad header checksum at byte ${at}`);
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    at += BLOCK;
    if (type === "2") out.push({ name, link: field(157, 100) });
    else if (type === "0" || type === "")
      out.push({ name, data: Buffer.from(bytes.subarray(at, at + size)) });
    else throw new Error(`unsupported archive member type ${JSON.stringify(type)} (${name})`);
    at += Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

/**
 * SHA-256 hex of bytes (an archive's identity).
 *
 * @param bytes - the bytes
 */
export function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
