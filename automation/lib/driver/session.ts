/**
 * What every stack-changing command (rollout, promote, rollback, up) does around its work:
 * take the driver lock (recording a stale lock it cleared), open the event logs, and release
 * the lock whatever happens.
 */
import type { StackContext } from "../context";
import { eventFiles, jsonlSwarmSink, type RuntimeLog, runtimeLog, type SwarmSink } from "../events/sinks";
import { acquireStackLock } from "./stack-lock";

/** The event logs of a command, and what it should know about its lock. */
export interface Logs {
  swarm: SwarmSink;
  runtime: RuntimeLog;
  files: { swarm: string; runtime: string };
  /**
   * Why the driver lock is no longer held (its PostgreSQL session broke), once it is not:
   * another driver may take the stack, so a ramp must not advance. @default - always held
   */
  lockLost?: () => string | undefined;
  /**
   * Ends the command's use of the logs: waits (bounded) for the remote SWARM sink to take the
   * events written so far. Never throws; what it could not deliver stays pending.
   */
  finish(): Promise<void>;
}

/** Opens the project's event logs for a stack. */
export function openLogs(ctx: Pick<StackContext, "projectDir" | "stack">): Logs {
  const files = eventFiles(ctx.projectDir);
  return {
    swarm: jsonlSwarmSink(files.swarm),
    runtime: runtimeLog(files.runtime, ctx.stack.name),
    files,
    finish: async () => undefined,
  };
}

/**
 * Runs `work` holding the stack's driver lock.
 *
 * @param ctx - the opened stack
 * @param command - what the lock records (`rollout v2`)
 * @param work - the work, given the event logs
 * @param onWait - told which `pulumi` processes of a dead driver are still running @default - nothing
 * @throws GlidepathError `GP_STACK_LOCKED` when another glidepath process holds the lock;
 *   `GP_BACKEND_UNSUPPORTED` on a backend the driver cannot lock
 */
export async function withDriverLock<T>(
  ctx: StackContext,
  command: string,
  work: (logs: Logs) => Promise<T>,
  onWait: (pids: number[]) => void = () => undefined,
): Promise<T> {
  let lost: string | undefined;
  const lock = await acquireStackLock(ctx, command, (e) => {
    lost = `the session holding the driver lock broke (${e.message}): another driver may now take the stack`;
    process.stderr.write(`warning: ${lost}\n`);
  });
  const logs: Logs = { ...openLogs(ctx), lockLost: () => lost };
  try {
    if (lock.clearedStale) {
      const s = lock.clearedStale;
      await logs.runtime.record("stale_lock_cleared", ctx.stack.name, `${s.command} (pid ${s.pid}, gone)`);
      // A driver killed during an update leaves its `pulumi up` running: let it finish first.
      for (const pid of await lock.settleBackendLocks(onWait)) {
        await logs.runtime.record(
          "stale_lock_cleared",
          ctx.stack.name,
          `backend lock of pulumi (pid ${pid}, gone)`,
        );
      }
    }
    return await work(logs);
  } finally {
    await lock.release();
  }
}
