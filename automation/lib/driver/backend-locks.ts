/**
 * The file backend's own stack locks (`<backend>/.pulumi/locks/<org>/<project>/<stack>/<id>.json`,
 * each with the pid and host of the `pulumi` process holding it). A driver killed during an
 * update leaves its `pulumi up` child running: the next driver waits for that process to
 * finish, and removes a lock whose process is gone from this host. Locks of other hosts are
 * left to Pulumi, which names them in its error.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { processAlive } from "./lock";

/** What a backend lock file records. */
interface BackendLock {
  file: string;
  pid: number;
  hostname: string;
}

async function listLocks(backendDir: string, project: string, stack: string): Promise<BackendLock[]> {
  const root = path.join(backendDir, ".pulumi", "locks");
  const entries = await fs.readdir(root, { recursive: true }).catch(() => [] as string[]);
  const locks: BackendLock[] = [];
  for (const rel of entries) {
    const parts = rel.split(path.sep);
    if (!rel.endsWith(".json") || parts.at(-2) !== stack || parts.at(-3) !== project) continue;
    const file = path.join(root, rel);
    const content = await fs.readFile(file, "utf8").catch(() => undefined);
    if (content === undefined) continue;
    try {
      const { pid, hostname } = JSON.parse(content) as { pid: number; hostname: string };
      locks.push({ file, pid, hostname });
    } catch {
      // A lock being written; look again on the next pass.
    }
  }
  return locks;
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
 * @param backendDir - the file backend's directory
 * @param project - the Pulumi project name
 * @param stack - the stack name
 * @param opts - waiting and liveness
 * @returns the pids whose locks were removed
 */
export async function settleBackendLocks(
  backendDir: string,
  project: string,
  stack: string,
  opts: SettleOptions = {},
): Promise<number[]> {
  const isAlive = opts.isAlive ?? processAlive;
  const host = os.hostname();
  const deadline = Date.now() + (opts.waitMs ?? 600_000);
  const cleared: number[] = [];
  for (;;) {
    const mine = (await listLocks(backendDir, project, stack)).filter((l) => l.hostname === host);
    const live: number[] = [];
    for (const l of mine) {
      if (isAlive(l.pid)) live.push(l.pid);
      else {
        await fs.rm(l.file, { force: true });
        cleared.push(l.pid);
      }
    }
    if (live.length === 0 || Date.now() > deadline) return cleared;
    opts.onWait?.(live);
    await new Promise((r) => setTimeout(r, 500));
  }
}
