/**
 * The backend's own stack locks (Pulumi's DIY lock: one entry per `pulumi` process under
 * `.pulumi/locks/<org>/<project>/<stack>/<id>.json`, each with the pid and host of its
 * holder; on the file backend a file, on the PostgreSQL backend a row of Pulumi's table, see
 * `backend-locks-pg.ts`). A driver killed during an update leaves its `pulumi up` child
 * running, or (killed with its process group) a lock entry no process holds: the next driver
 * waits for a live holder of this host to finish, and removes the entry of a holder gone from
 * this host. Entries of other hosts are left to Pulumi, which names them in its error.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { processAlive } from "./lock";

/** What a backend lock entry records. */
export interface BackendLock {
  /** Where it is (a file, or a key of the state table). */
  id: string;
  pid: number;
  hostname: string;
}

/** The lock entries of one backend. */
export interface BackendLockStore {
  /** The entries of one stack (entries being written are skipped: seen on the next pass). */
  list(project: string, stack: string): Promise<BackendLock[]>;
  /** Removes one entry. */
  remove(lock: BackendLock): Promise<void>;
}

/**
 * Whether a lock entry's path (`…/.pulumi/locks/<org>/<project>/<stack>/<id>.json`) is one of
 * the stack's.
 *
 * @param parts - the path's segments
 */
export function isStackLock(parts: readonly string[], project: string, stack: string): boolean {
  return parts.at(-1)?.endsWith(".json") === true && parts.at(-2) === stack && parts.at(-3) === project;
}

/**
 * Parses a lock entry's JSON; undefined while it is being written.
 *
 * @param id - where it is
 * @param content - its text
 */
export function parseBackendLock(id: string, content: string): BackendLock | undefined {
  try {
    const { pid, hostname } = JSON.parse(content) as { pid: number; hostname: string };
    return typeof pid === "number" && typeof hostname === "string" ? { id, pid, hostname } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lock files of a file backend.
 *
 * @param backendDir - the backend's directory
 */
export function fileBackendLocks(backendDir: string): BackendLockStore {
  const root = path.join(backendDir, ".pulumi", "locks");
  return {
    list: async (project, stack) => {
      const entries = await fs.readdir(root, { recursive: true }).catch(() => [] as string[]);
      const locks: BackendLock[] = [];
      for (const rel of entries) {
        if (!isStackLock(rel.split(path.sep), project, stack)) continue;
        const file = path.join(root, rel);
        const content = await fs.readFile(file, "utf8").catch(() => undefined);
        const lock = content === undefined ? undefined : parseBackendLock(file, content);
        if (lock !== undefined) locks.push(lock);
      }
      return locks;
    },
    remove: (lock) => fs.rm(lock.id, { force: true }),
  };
}

/** Options of {@link settleBackendLocks}. */
export interface SettleOptions {
  /** How long to wait for live `pulumi` processes of this host. @default 600000 */
  waitMs?: number;
  /** Called once per pass while waiting. @default - nothing */
  onWait?: (pids: number[]) => void;
  /** Whether a process is alive. @default - `kill(pid, 0)` */
  isAlive?: (pid: number) => boolean;
}

/**
 * Waits for this host's live holders of the stack's backend locks, and removes the locks of
 * holders that are gone.
 *
 * @param store - the backend's lock entries
 * @param project - the Pulumi project name
 * @param stack - the stack name
 * @param opts - waiting and liveness
 * @returns the pids whose locks were removed
 */
export async function settleBackendLocks(
  store: BackendLockStore,
  project: string,
  stack: string,
  opts: SettleOptions = {},
): Promise<number[]> {
  const isAlive = opts.isAlive ?? processAlive;
  const host = os.hostname();
  const deadline = Date.now() + (opts.waitMs ?? 600_000);
  const cleared: number[] = [];
  for (;;) {
    const mine = (await store.list(project, stack)).filter((l) => l.hostname === host);
    const live: number[] = [];
    for (const l of mine) {
      if (isAlive(l.pid)) live.push(l.pid);
      else {
        await store.remove(l);
        cleared.push(l.pid);
      }
    }
    if (live.length === 0 || Date.now() > deadline) return cleared;
    opts.onWait?.(live);
    await new Promise((r) => setTimeout(r, 500));
  }
}
