/**
 * The driver lock of a stack, on whichever backend holds its state: a lock file beside the
 * state on a `file://` backend (`lock.ts`), a PostgreSQL advisory lock on a `postgres://` one
 * (`pg-lock.ts`). Any other backend is refused for stack-changing commands
 * (`GP_BACKEND_UNSUPPORTED`): a lock it cannot share would keep apart only the drivers of one
 * checkout. Also the settling of the backend's own (Pulumi's) lock entries a killed driver left.
 */

import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { lockBackendOf, unsupportedBackendError } from "../backend-url";
import type { StackContext } from "../context";
import { connectBackend } from "../pg-connect";
import { fileBackendLocks, type SettleOptions, settleBackendLocks } from "./backend-locks";
import { pgBackendLocks } from "./backend-locks-pg";
import { acquireDriverLock, type DriverLock, type LockOwner, processAlive } from "./lock";
import { acquirePgLock, readPgLockOwner, type ShownOwner } from "./pg-lock";

type LockContext = Pick<StackContext, "envVars" | "stack">;

/** A held driver lock, and the settling of the backend's own lock entries. */
export interface StackLock extends DriverLock {
  /**
   * Waits for this host's live `pulumi` processes holding the backend's lock on the stack, and
   * removes the entries of those gone ({@link settleBackendLocks}).
   * @returns the pids whose entries were removed
   */
  settleBackendLocks(onWait: SettleOptions["onWait"]): Promise<number[]>;
}

function backendOf(ctx: LockContext) {
  return lockBackendOf(ctx.envVars.PULUMI_BACKEND_URL ?? "");
}

/** The lock file of a stack on a file backend. */
export function lockFileOf(dir: string, stack: string): string {
  return path.join(dir, ".glidepath-locks", `${stack}.lock.json`);
}

/**
 * Takes the stack's driver lock.
 *
 * @param ctx - the opened stack
 * @param command - what the lock records (`rollout v2`)
 * @param onLost - told when a PostgreSQL lock's session breaks while held @default - nothing
 * @throws GlidepathError `GP_STACK_LOCKED` naming the owner; `GP_BACKEND_UNSUPPORTED` (exit 2); `GP_BACKEND_UNREACHABLE`
 */
export async function acquireStackLock(
  ctx: LockContext,
  command: string,
  onLost?: (e: Error) => void,
): Promise<StackLock> {
  const backend = backendOf(ctx);
  const stack = ctx.stack.name;
  if (backend.kind === "unsupported") throw unsupportedBackendError(backend);
  const project = (await ctx.stack.workspace.projectSettings()).name;
  if (backend.kind === "file") {
    const lock = await acquireDriverLock({
      dir: path.dirname(lockFileOf(backend.dir, stack)),
      stack,
      command,
    });
    return {
      ...lock,
      settleBackendLocks: (onWait) =>
        settleBackendLocks(fileBackendLocks(backend.dir), project, stack, { onWait }),
    };
  }
  const lock = await acquirePgLock({ backend, project, stack, command, onLost });
  return {
    ...lock,
    settleBackendLocks: async (onWait) => {
      const client = await connectBackend(backend, `glidepath ${command} (${stack})`);
      try {
        return await settleBackendLocks(pgBackendLocks(client, backend), project, stack, { onWait });
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

/**
 * Who holds the stack's driver lock, for `status` (no lock taken): null when nobody does, or
 * on a backend the driver does not lock.
 *
 * @param ctx - the opened stack
 */
export async function readStackLockOwner(ctx: LockContext): Promise<ShownOwner | null> {
  const backend = backendOf(ctx);
  if (backend.kind === "unsupported") return null;
  if (backend.kind === "postgres") {
    return readPgLockOwner(backend, (await ctx.stack.workspace.projectSettings()).name, ctx.stack.name);
  }
  return fs
    .readFile(lockFileOf(backend.dir, ctx.stack.name), "utf8")
    .then((t) => {
      const { token: _token, ...owner } = JSON.parse(t) as LockOwner;
      return { ...owner, alive: owner.host !== os.hostname() || processAlive(owner.pid) };
    })
    .catch(() => null);
}
