/**
 * The audit log on disk: where it lives, the locked append (lock file, `O_APPEND`, one write,
 * fsync) and the repair of a torn last line. Appends from several processes are serialized by a
 * lock file beside the log (the driver lock's `O_EXCL` file with its stale-owner detection), so
 * seqs stay contiguous; each append reads the head under the lock and refuses a log whose last
 * line is torn or unreadable rather than chain onto it.
 */
import { constants } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { lockBackendOf, type PostgresBackend } from "../backend-url";
import { acquireDriverLock, type DriverLock } from "../driver/lock";
import { defaultStateDir } from "../env";
import { GlidepathError, isGlidepathError } from "../errors";
import {
  type AuditHead,
  type AuditRecord,
  auditEntrySchema,
  canonicalLine,
  EMPTY_HEAD,
  lineHash,
  nextEntry,
} from "./entry";
import { appendShared, pullStore, pushStore, type SharedStore, sharedStore } from "./shared-store";
import { describeFinding, parseLine, type VerifyOptions, type VerifyResult, verifyLog } from "./verify";

/** The log's file name. */
export const AUDIT_FILE = ".verification_audit.log";

/**
 * The directory of a stack's audit log: beside the state on a `file://` backend
 * (`<state dir>/.glidepath-audit/<stack>/`, shared by every checkout that shares the state),
 * else in the project (`.glidepath/audit/<stack>/`): on a `postgres://` backend that is this
 * checkout's mirror of the records the database holds ({@link openGuardrailMirror}).
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param backendUrl - the backend @default - `PULUMI_BACKEND_URL`, else the project's local state directory
 */
export function auditDir(projectDir: string, stack: string, backendUrl?: string): string {
  const url = backendUrl ?? process.env.PULUMI_BACKEND_URL ?? `file://${defaultStateDir(projectDir)}`;
  if (url.startsWith("file://")) return path.join(url.slice("file://".length), ".glidepath-audit", stack);
  return path.join(projectDir, ".glidepath", "audit", stack);
}

/**
 * The audit log of a stack ({@link auditDir} and {@link AUDIT_FILE}).
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param backendUrl - the backend @default - as {@link auditDir}
 */
export function auditFile(projectDir: string, stack: string, backendUrl?: string): string {
  return path.join(auditDir(projectDir, stack, backendUrl), AUDIT_FILE);
}

/**
 * Set in the environment of the engine a glidepath command runs once it has pulled the stack's
 * records under the driver lock: the program then judges that fresh mirror instead of pulling
 * again on every `pulumi up` of a ramp. A raw `pulumi up` has it unset and pulls.
 */
export const RECORDS_PULLED_ENV = "GLIDEPATH_RECORDS_PULLED";

/**
 * Whether a backend keeps the guardrail records in its database (`postgres://`).
 *
 * @param backendUrl - the backend URL @default - none: not shared
 */
export function sharesRecords(backendUrl: string | undefined): boolean {
  return backendUrl !== undefined && lockBackendOf(backendUrl).kind === "postgres";
}

/** The mirrors this process opened, by directory. */
const mirrors = new Map<string, SharedStore>();

/** The stack a mirror directory belongs to: `<project>/.glidepath/audit/<stack>`. */
function mirrorStack(dir: string): string | undefined {
  const parent = path.dirname(dir);
  return path.basename(parent) === "audit" && path.basename(path.dirname(parent)) === ".glidepath"
    ? path.basename(dir)
    : undefined;
}

/**
 * On a `postgres://` backend, brings this checkout's mirror of the stack's guardrail records up to
 * the database (see `shared-store.ts`) and remembers it, so appends go to the database and
 * {@link flushGuardrailMirrors} pushes what this process wrote. A no-op on any other backend, and
 * for a mirror this process already opened.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param opts - `backendUrl` @default - `PULUMI_BACKEND_URL`; `progress` is told what the pull had to do @default - nothing
 * @returns the notes of the pull (empty when nothing was pulled)
 * @throws GlidepathError `GP_BACKEND_UNREACHABLE`, `GP_AUDIT_SHARED_FAILED` (exit 1)
 */
export async function openGuardrailMirror(
  projectDir: string,
  stack: string,
  opts: { backendUrl?: string; progress?: (line: string) => void } = {},
): Promise<string[]> {
  const url = opts.backendUrl ?? process.env.PULUMI_BACKEND_URL;
  if (url === undefined || !sharesRecords(url)) return [];
  const backend = lockBackendOf(url) as PostgresBackend;
  const dir = auditDir(projectDir, stack, url);
  if (mirrors.has(dir)) return [];
  const opened = sharedStore(backend, stack, dir, AUDIT_FILE);
  await fs.mkdir(dir, { recursive: true });
  const { notes } = await pullStore(opened);
  mirrors.set(dir, opened);
  for (const n of notes) opts.progress?.(`audit: ${n}`);
  return notes;
}

/**
 * Pushes the files this process wrote into each open mirror (the log's lines are in the
 * database already), and forgets the mirrors.
 *
 * @returns the names pushed, by stack
 * @throws GlidepathError `GP_AUDIT_SHARED_FAILED` (exit 1) after trying every mirror
 */
export async function flushGuardrailMirrors(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  let failure: unknown;
  for (const [dir, mirror] of mirrors) {
    try {
      out[path.basename(dir)] = await pushStore(mirror);
      mirrors.delete(dir);
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
  return out;
}

/** The open mirror a log belongs to; opened now when the log is a mirror's on a `postgres://` backend. */
async function mirrorOf(file: string): Promise<SharedStore | undefined> {
  const dir = path.dirname(path.resolve(file));
  const open = mirrors.get(dir);
  if (open !== undefined || path.basename(file) !== AUDIT_FILE) return open;
  const stack = mirrorStack(dir);
  const url = process.env.PULUMI_BACKEND_URL;
  if (stack === undefined || !sharesRecords(url)) return undefined;
  await openGuardrailMirror(path.dirname(path.dirname(path.dirname(dir))), stack, { backendUrl: url });
  return mirrors.get(dir);
}

/** Options of the locked operations. */
export interface LockWaitOptions {
  /** How long to wait for another appender (ms). @default 30000 */
  lockTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the log's lock, waiting while another process holds it (its appends are short). */
async function lockLog(file: string, command: string, timeoutMs = 30_000): Promise<DriverLock> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return await acquireDriverLock({ dir: path.dirname(file), stack: AUDIT_FILE, command });
    } catch (e) {
      if (!isGlidepathError(e) || e.code !== "GP_STACK_LOCKED") throw e;
      if (Date.now() > deadline)
        throw new GlidepathError(
          "GP_AUDIT_LOCKED",
          `the audit log ${file} stayed locked for ${timeoutMs} ms: ${e.message}`,
          `retry; if no glidepath process is running, remove ${path.join(path.dirname(file), `${AUDIT_FILE}.lock.json`)}`,
        );
      await sleep(wait * (0.5 + Math.random()));
    }
  }
}

/**
 * The head of an open log, from its last line (read backwards, never the whole file).
 *
 * @throws GlidepathError `GP_AUDIT_UNWRITABLE` (exit 2) when the last line is torn or not an entry
 */
async function readHead(fh: fs.FileHandle, file: string): Promise<AuditHead> {
  const size = (await fh.stat()).size;
  if (size === 0) return EMPTY_HEAD;
  const refuse = (what: string) =>
    new GlidepathError(
      "GP_AUDIT_UNWRITABLE",
      `the audit log ${file} cannot take an entry: ${what}; nothing was written`,
      "run `glidepath audit verify` to see why; a torn last line (a crash) is removed by `glidepath audit repair`",
    );
  const chunks: Buffer[] = [];
  let start = size;
  let line: Buffer | undefined;
  while (line === undefined) {
    const from = Math.max(0, start - 65_536);
    const chunk = Buffer.alloc(start - from);
    await fh.read(chunk, 0, chunk.length, from);
    chunks.unshift(chunk);
    start = from;
    const tail = Buffer.concat(chunks);
    if (chunks.length === 1 && tail[tail.length - 1] !== 10)
      throw refuse("its last line is torn (no newline at the end)");
    const nl = tail.length >= 2 ? tail.lastIndexOf(10, tail.length - 2) : -1;
    if (nl >= 0) line = tail.subarray(nl + 1);
    else if (from === 0) line = tail;
  }
  const parsed = parseLine(line);
  if ("error" in parsed) throw refuse(`its last line ${parsed.error}`);
  return { seq: parsed.entry.seq, hash: lineHash(line) };
}

/** Appends under a lock already held. */
async function appendLocked(
  file: string,
  record: AuditRecord | ((head: AuditHead, now: Date) => AuditRecord),
  now: Date,
  verify?: VerifyOptions,
): Promise<AuditHead> {
  const existed = await fs.stat(file).then(
    () => true,
    () => false,
  );
  if (verify !== undefined && existed) {
    const result = verifyLog(await fs.readFile(file), verify);
    if (!result.ok) throw refuseInvalid(file, result);
  }
  // O_APPEND: the write lands at the end whatever the offset; read via positioned reads.
  const fh = await fs.open(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o644);
  try {
    const head = await readHead(fh, file);
    const line = lineAfter(head, record, now);
    for (let off = 0; off < line.length; ) off += (await fh.write(line, off)).bytesWritten;
    await fh.sync();
    if (!existed) {
      const dir = await fs.open(path.dirname(file), "r");
      await dir.sync().finally(() => dir.close());
    }
    return { seq: head.seq + 1, hash: lineHash(line) };
  } finally {
    await fh.close();
  }
}

/** The exact bytes of the entry after `head`. */
function lineAfter(
  head: AuditHead,
  record: AuditRecord | ((head: AuditHead, now: Date) => AuditRecord),
  now: Date,
): Buffer {
  const entry = nextEntry(head, typeof record === "function" ? record(head, now) : record, now);
  const checked = auditEntrySchema.safeParse(entry);
  if (!checked.success) throw new Error(`not an audit entry: ${checked.error.message}`);
  return Buffer.from(canonicalLine(checked.data));
}

function refuseInvalid(file: string, result: VerifyResult): GlidepathError {
  return new GlidepathError(
    "GP_AUDIT_INVALID",
    `the audit log ${file} does not verify, so nothing was appended: ${result.findings.map(describeFinding).join("; ")}`,
    "investigate with `glidepath audit verify`; a log that does not verify is evidence, never signed over",
  );
}

/** Options of {@link appendAudit}. */
export interface AppendOptions extends LockWaitOptions {
  /** The entry's time. @default - now */
  now?: Date;
  /**
   * Verify the whole log under the lock first and refuse to append to one that does not verify
   * (`GP_AUDIT_INVALID`): what a checkpoint needs, so it never signs over a tampered log.
   * @default - not verified (an append reads only the last line)
   */
  verifyFirst?: VerifyOptions;
}

/**
 * Appends one entry: takes the log's lock, reads the head, writes the next line with `O_APPEND`
 * in one write, fsyncs, releases. A mirror's log on a `postgres://` backend takes the entry in
 * the database instead (under the database's lock), then mirrors it.
 *
 * @param file - the log ({@link auditFile})
 * @param record - what to record, or a function of the head (a checkpoint signs it)
 * @param opts - time and lock wait
 * @returns the new head
 * @throws GlidepathError `GP_AUDIT_UNWRITABLE` for a torn or unreadable last line, `GP_AUDIT_LOCKED`
 */
export async function appendAudit(
  file: string,
  record: AuditRecord | ((head: AuditHead, now: Date) => AuditRecord),
  opts: AppendOptions = {},
): Promise<AuditHead> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const shared = await mirrorOf(file);
  if (shared !== undefined) {
    const now = opts.now ?? new Date();
    const verify = opts.verifyFirst;
    return appendShared(
      shared,
      (head) => lineAfter(head, record, now),
      verify === undefined
        ? undefined
        : (log) => {
            const result = verifyLog(log, verify);
            if (log.length > 0 && !result.ok) throw refuseInvalid(file, result);
          },
    );
  }
  const lock = await lockLog(
    file,
    `audit append ${typeof record === "function" ? "" : record.kind}`.trim(),
    opts.lockTimeoutMs,
  );
  try {
    return await appendLocked(file, record, opts.now ?? new Date(), opts.verifyFirst);
  } finally {
    await lock.release();
  }
}

/**
 * The log's bytes (empty when there is no log yet).
 *
 * @param file - the log
 */
export async function readAuditBytes(file: string): Promise<{ bytes: Buffer; exists: boolean }> {
  try {
    return { bytes: await fs.readFile(file), exists: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { bytes: Buffer.alloc(0), exists: false };
    throw e;
  }
}

/**
 * The log's head now, from its last line (what a `pulumi up --message` anchors; see
 * `formatAnchor`). No lock: the head of a complete last line is a head the log had.
 *
 * @param file - the log
 * @returns the head; the empty head when there is no log yet
 * @throws GlidepathError `GP_AUDIT_UNWRITABLE` (exit 2) for a torn or unreadable last line
 */
export async function readAuditHead(file: string): Promise<AuditHead> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return EMPTY_HEAD;
    throw e;
  }
  try {
    return await readHead(fh, file);
  } finally {
    await fh.close();
  }
}

/** Most bytes of the removed line a repair entry keeps. */
export const REPAIR_KEEP_BYTES = 4096;

/** What {@link repairAudit} did. */
export interface RepairResult {
  /** The torn line's number. */
  line: number;
  /** Bytes removed. */
  removedBytes: number;
  /** SHA-256 of the removed bytes. */
  removedSha256: string;
  /** The head after the repair entry. */
  head: AuditHead;
}

/**
 * Removes a torn last line, and only that, then records a `repair` entry naming what was removed.
 * Refuses a log with any other finding (a torn line after tampering is not a crash to tidy up).
 *
 * @param file - the log
 * @param verify - what the verification takes into account (stack, signers, anchors)
 * @param opts - time and lock wait
 * @throws GlidepathError `GP_AUDIT_REPAIR_REFUSED` (exit 2) naming the findings
 */
export async function repairAudit(
  file: string,
  verify: VerifyOptions,
  opts: AppendOptions = {},
): Promise<RepairResult> {
  const { exists } = await readAuditBytes(file);
  if (!exists) throw refuseRepair(file, "there is no audit log");
  if ((await mirrorOf(file)) !== undefined)
    throw refuseRepair(
      file,
      "its log is held by the PostgreSQL backend, one whole line per row, so it cannot be torn (this checkout's copy was just read again from the database)",
    );
  const lock = await lockLog(file, "audit repair", opts.lockTimeoutMs);
  try {
    const { bytes } = await readAuditBytes(file);
    const result: VerifyResult = verifyLog(bytes, verify);
    const torn = result.torn;
    if (torn === undefined) {
      throw refuseRepair(
        file,
        result.ok
          ? "it verifies: there is nothing to repair"
          : `only a torn last line is repaired, and it has other findings: ${result.findings.map(describeFinding).join("; ")}`,
      );
    }
    const removed = bytes.subarray(torn.offset);
    const fh = await fs.open(file, "r+");
    try {
      await fh.truncate(torn.offset);
      await fh.sync();
    } finally {
      await fh.close();
    }
    const data = {
      line: torn.line,
      removedBytes: removed.length,
      removedSha256: lineHash(removed),
      removedBase64: removed.subarray(0, REPAIR_KEEP_BYTES).toString("base64"),
    };
    const head = await appendLocked(file, { kind: "repair", data }, opts.now ?? new Date());
    return { line: torn.line, removedBytes: data.removedBytes, removedSha256: data.removedSha256, head };
  } finally {
    await lock.release();
  }
}

function refuseRepair(file: string, why: string): GlidepathError {
  return new GlidepathError(
    "GP_AUDIT_REPAIR_REFUSED",
    `audit repair of ${file} refused: ${why}; nothing was changed`,
    "`glidepath audit verify` lists the findings; anything but a torn last line is evidence to keep, not to repair",
  );
}
