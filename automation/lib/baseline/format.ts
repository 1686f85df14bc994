/**
 * The deploy baseline, `deploy_baseline.env`: per watched file of a stack's release bundles its
 * line and byte counts, the tolerance the gate allows around them (a percentage with an absolute
 * floor), and the digest of the watched-file set. One `KEY=VALUE` per line, `#` comments:
 *
 * ```
 * BASELINE_VERSION=1
 * STACK=production
 * TOLERANCE_PCT=10
 * MIN_ABS_LINES=5
 * MIN_ABS_BYTES=512
 * FILESET_SHA256=<64 hex>
 * FILE=wix/index.html lines=42 bytes=1830
 * ```
 *
 * `FILE` repeats, one per watched file, named `<app>/<path in the bundle>` (the app, not the
 * version, so a new version is judged against the old one's counts). Pure.
 */
import { createHash } from "node:crypto";

/** Percentage a watched file's lines or bytes may move by, unless the baseline says otherwise. */
export const TOLERANCE_PCT_DEFAULT = 10;
/** Lines a file may always move by, however small it is (the floor under the percentage). */
export const MIN_ABS_LINES_DEFAULT = 5;
/** Bytes a file may always move by, however small it is. */
export const MIN_ABS_BYTES_DEFAULT = 512;

/** The counts of one watched file. */
export interface FileCounts {
  /** Lines: newline characters, plus one for a last line without a newline. */
  lines: number;
  /** Bytes. */
  bytes: number;
}

/** A parsed baseline. */
export interface Baseline {
  stack: string;
  tolerancePct: number;
  minAbsLines: number;
  minAbsBytes: number;
  /** Watched file (`<app>/<path>`) → counts, names sorted. */
  files: Record<string, FileCounts>;
}

/**
 * The digest of a watched-file set: SHA-256 hex of the sorted names, one per line.
 *
 * @param names - the watched files
 */
export function filesetDigest(names: readonly string[]): string {
  return createHash("sha256")
    .update(
      [...names]
        .sort()
        .map((n) => `${n}\n`)
        .join(""),
    )
    .digest("hex");
}

/**
 * Counts a file's lines and bytes.
 *
 * @param bytes - the file's content
 */
export function countFile(bytes: Uint8Array): FileCounts {
  let lines = 0;
  for (const b of bytes) if (b === 0x0a) lines++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) lines++;
  return { lines, bytes: bytes.length };
}

/**
 * The text of a baseline (what `baseline generate` writes).
 *
 * @param b - the baseline
 */
export function formatBaseline(b: Baseline): string {
  const names = Object.keys(b.files).sort();
  return [
    `# deploy_baseline.env of stack ${b.stack}: written by \`glidepath baseline generate --stack ${b.stack}\`.`,
    "# A change to this file counts only once `glidepath baseline accept` has signed it.",
    "BASELINE_VERSION=1",
    `STACK=${b.stack}`,
    `TOLERANCE_PCT=${b.tolerancePct}`,
    `MIN_ABS_LINES=${b.minAbsLines}`,
    `MIN_ABS_BYTES=${b.minAbsBytes}`,
    `FILESET_SHA256=${filesetDigest(names)}`,
    ...names.map((n) => {
      const c = b.files[n] as FileCounts;
      return `FILE=${n} lines=${c.lines} bytes=${c.bytes}`;
    }),
    "",
  ].join("\n");
}

/** A baseline that does not parse: the line and why. */
export class BaselineParseError extends Error {
  /**
   * @param line - 1-based line number (0: the file as a whole)
   * @param reason - what is wrong
   */
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(line === 0 ? reason : `line ${line}: ${reason}`);
    this.name = "BaselineParseError";
  }
}

const COUNT = /^(0|[1-9][0-9]{0,11})$/;
const FILE_LINE = /^(\S+) lines=(0|[1-9][0-9]{0,11}) bytes=(0|[1-9][0-9]{0,11})$/;

/**
 * Parses a baseline strictly: every key known, each once (`FILE` once per name), numbers whole,
 * the file-set digest that of the `FILE` names.
 *
 * @param text - the file's text
 * @throws BaselineParseError naming the line
 */
export function parseBaseline(text: string): Baseline {
  const seen = new Map<string, string>();
  const files: Record<string, FileCounts> = {};
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new BaselineParseError(i + 1, `expected KEY=VALUE, got ${JSON.stringify(line)}`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "FILE") {
      const m = FILE_LINE.exec(value);
      if (m === null)
        throw new BaselineParseError(
          i + 1,
          `expected FILE=<app>/<path> lines=<n> bytes=<n>, got ${JSON.stringify(value)}`,
        );
      const name = m[1] as string;
      if (name in files) throw new BaselineParseError(i + 1, `FILE ${name} is listed twice`);
      files[name] = { lines: Number(m[2]), bytes: Number(m[3]) };
      return;
    }
    const known = [
      "BASELINE_VERSION",
      "STACK",
      "TOLERANCE_PCT",
      "MIN_ABS_LINES",
      "MIN_ABS_BYTES",
      "FILESET_SHA256",
    ];
    if (!known.includes(key)) throw new BaselineParseError(i + 1, `unknown key ${key}`);
    if (seen.has(key)) throw new BaselineParseError(i + 1, `${key} is set twice`);
    seen.set(key, value);
  });
  const need = (key: string): string => {
    const v = seen.get(key);
    if (v === undefined) throw new BaselineParseError(0, `${key} is missing`);
    return v;
  };
  const count = (key: string): number => {
    const v = need(key);
    if (!COUNT.test(v)) throw new BaselineParseError(0, `${key}=${v}: expected a whole number`);
    return Number(v);
  };
  if (need("BASELINE_VERSION") !== "1")
    throw new BaselineParseError(0, `BASELINE_VERSION=${need("BASELINE_VERSION")}: expected 1`);
  const tolerancePct = count("TOLERANCE_PCT");
  if (tolerancePct > 1000)
    throw new BaselineParseError(0, `TOLERANCE_PCT=${tolerancePct}: expected 0 to 1000`);
  const names = Object.keys(files).sort();
  if (need("FILESET_SHA256") !== filesetDigest(names))
    throw new BaselineParseError(
      0,
      "FILESET_SHA256 is not the digest of the FILE names: a FILE line was added or removed by hand",
    );
  return {
    stack: need("STACK"),
    tolerancePct,
    minAbsLines: count("MIN_ABS_LINES"),
    minAbsBytes: count("MIN_ABS_BYTES"),
    files: Object.fromEntries(names.map((n) => [n, files[n] as FileCounts])),
  };
}
