/**
 * The driver lock: one glidepath process at a time changes a stack (rollout, promote,
 * rollback, up). The backend's own lock covers one `pulumi up`; this one covers the whole
 * ramp, bake windows included. This file holds what every driver lock shares (the owner
 * record, the refusal) and the file backend's lock: a file created exclusively (`O_EXCL`)
 * beside the state; a lock whose owner process is gone (same host, pid no longer alive) is
 * stale and is cleared; any other holder makes the second driver stop with `GP_STACK_LOCKED`.
 * The PostgreSQL backend's lock is `pg-lock.ts`.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { GlidepathError } from "../errors";

/** Age after which an unreadable lock file counts as stale. */
const UNREADABLE_STALE_MS = 30_000;

/** What a lock file records about its owner. */
export interface LockOwner {
  /** Process id of the owner. */
  pid: number;
  /** Host name of the owner. */
  host: string;
  /** The command that holds it (`rollout v2`). */
  command: string;
  /** When it was taken (ISO 8601). */
  since: string;
  /** Random token: only the owner that wrote it removes it. */
  token: string;
}

/** A held lock. */
export interface DriverLock {
  /** What the lock records about its owner (this process). */
  owner: LockOwner;
  /** Whether a stale lock was cleared to take this one. */
  clearedStale?: LockOwner;
  /** Releases the lock (idempotent; leaves a lock that is no longer ours alone). */
  release(): Promise<void>;
}

/** A held file lock. */
export interface FileDriverLock extends DriverLock {
  /** The lock file. */
  file: string;
}

/**
 * The owner record of this process, taking a lock now.
 *
 * @param command - what it is doing (`rollout v2`)
 */
export function newOwner(command: string): LockOwner {
  return {
    pid: process.pid,
    host: os.hostname(),
    command,
    since: new Date().toISOString(),
    token: crypto.randomUUID(),
  };
}

/**
 * The refusal a second driver gets, naming the owner.
 *
 * @param stack - the stack
 * @param held - the owner
 * @param ifGone - what to do when that owner is gone (the fix's second half)
 */
export function lockedError(stack: string, held: Omit<LockOwner, "token">, ifGone: string): GlidepathError {
  return new GlidepathError(
    "GP_STACK_LOCKED",
    `stack "${stack}" is being changed by another glidepath process: ${held.command} (pid ${held.pid} on ${held.host}, since ${held.since}); nothing was changed`,
    `wait for it to finish (\`glidepath status --stack ${stack}\` shows its progress); ${ifGone}`,
  );
}

/** Options of {@link acquireDriverLock}. */
export interface AcquireOptions {
  /** Directory of lock files (beside the state). */
  dir: string;
  /** Stack name. */
  stack: string;
  /** What the owner is doing, for the message a second driver gets. */
  command: string;
  /** Whether a process is alive. @default - `process.kill(pid, 0)` */
  isAlive?: (pid: number) => boolean;
}

/** `kill(pid, 0)`: true when the process exists (EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * Takes the stack's driver lock.
 *
 * @throws GlidepathError `GP_STACK_LOCKED` naming the owner (pid, host, command, since)
 */
export async function acquireDriverLock(opts: AcquireOptions): Promise<FileDriverLock> {
  const isAlive = opts.isAlive ?? processAlive;
  const file = path.join(opts.dir, `${opts.stack}.lock.json`);
  await fs.mkdir(opts.dir, { recursive: true });
  const owner = newOwner(opts.command);
  let clearedStale: LockOwner | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Written in full first, then linked into place: the lock file never exists half-written.
      const tmp = `${file}.${owner.token}.tmp`;
      await fs.writeFile(tmp, `${JSON.stringify(owner, null, 2)}\n`);
      try {
        await fs.link(tmp, file);
      } finally {
        await fs.rm(tmp, { force: true });
      }
      const release = async () => {
        const now = await readOwner(file);
        if (now?.token === owner.token) await fs.rm(file, { force: true });
      };
      return { file, owner, clearedStale, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const held = await readOwner(file);
    // Lock files are complete when they appear, so an unreadable one is damaged: it is stale
    // only once it is old enough that no writer can still be at work on it.
    const st = await fs.stat(file).catch(() => undefined);
    if (st === undefined) continue; // released meanwhile: try again
    const age = Date.now() - st.mtimeMs;
    const stale =
      held === undefined ? age > UNREADABLE_STALE_MS : held.host === owner.host && !isAlive(held.pid);
    if (!stale && held === undefined) {
      throw new GlidepathError(
        "GP_STACK_LOCKED",
        `stack "${opts.stack}" has a lock file that cannot be read (${file}); nothing was changed`,
        `retry in a moment; if it persists, check that no glidepath process runs on this stack and remove ${file}`,
      );
    }
    if (!stale && held !== undefined) {
      throw lockedError(opts.stack, held, `if that process is gone from ${held.host}, remove ${file}`);
    }
    // Move the stale file aside before deleting it, so two racing drivers cannot both clear it.
    const aside = `${file}.${owner.token}.stale`;
    try {
      await fs.rename(file, aside);
      const moved = await readOwner(aside);
      if (held !== undefined && moved?.token !== held.token) {
        // Another driver took the lock between our read and the rename: put its lock back.
        await fs.link(aside, file).catch(() => undefined);
      } else {
        clearedStale = held;
      }
      await fs.rm(aside, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  throw new GlidepathError(
    "GP_STACK_LOCKED",
    `could not take the lock of stack "${opts.stack}" (${file}): other processes keep taking it`,
    "retry when no other glidepath command runs on this stack",
  );
}
