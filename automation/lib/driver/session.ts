/**
 * What every stack-changing command (rollout, promote, rollback, up) does around its work:
 * take the driver lock (recording a stale lock it cleared), open the event logs, and release
 * the lock whatever happens.
 */
import type { StackContext } from "../context";
import { outboxSwarmSink, type SwarmOutbox } from "../events/outbox-sink";
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
  /** The SWARM outbox, when the stack delivers its events to Notion. @default - none: JSONL only */
  outbox?: SwarmOutbox;
  /**
   * Ends the command's use of the logs: waits (bounded) for the remote SWARM sink to take the
   * events written so far. Never throws; what it could not deliver stays pending.
   */
  finish(): Promise<void>;
}

/**
 * Opens the project's event logs for a stack. With a SWARM database configured (and its token),
 * the SWARM log is an outbox: JSONL first, then Notion in the background, starting with what
 * earlier commands left undelivered.
 */
export function openLogs(ctx: Pick<StackContext, "projectDir" | "stack" | "swarm">): Logs {
  const files = eventFiles(ctx.projectDir);
  const runtime = runtimeLog(files.runtime, ctx.stack.name);
  const outbox = outboxOf(ctx, files.swarm);
  if (outbox === undefined)
    return { swarm: jsonlSwarmSink(files.swarm), runtime, files, finish: async () => undefined };
  return { swarm: outbox, outbox, runtime, files, finish: () => outbox.finish() };
}

/**
 * The stack's SWARM outbox, when it has a deliverable Notion destination.
 *
 * @param ctx - the opened stack
 * @param file - the SWARM log
 */
export function outboxOf(
  ctx: Pick<StackContext, "projectDir" | "stack" | "swarm">,
  file: string,
): SwarmOutbox | undefined {
  const d = ctx.swarm.destination;
  if (d.kind !== "notion" || d.token === undefined || ctx.swarm.issues.length > 0) return undefined;
  return outboxSwarmSink({
    projectDir: ctx.projectDir,
    file,
    stack: ctx.stack.name,
    destination: { ...d, token: d.token },
  });
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
    await logs.finish();
    await lock.release();
  }
}
