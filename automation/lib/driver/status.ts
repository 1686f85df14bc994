/**
 * `glidepath status`: what the stack serves now (releases, weights, the ramp step), its
 * health from the runtime events (with the runtime figures of `runtime-status.ts`: last cycle,
 * queue depth, rollout counts, freshness), the last gate verdicts, and who holds the driver lock.
 */
import type { StackContext } from "../context";
import { countPending } from "../events/outbox-sink";
import type { SwarmEvent } from "../events/schema";
import { eventFiles, readRuntimeEvents, readSwarmEvents } from "../events/sinks";
import { type Closing, readClosing } from "./closing";
import type { Health } from "./health";
import { holdOf } from "./hold";
import type { LockOwner } from "./lock";
import { deriveRuntimeStatus, type RuntimeStatus } from "./runtime-status";
import { readStackLockOwner } from "./stack-lock";

/** The status of a stack. */
export interface StackStatus extends Health, RuntimeStatus {
  stack: string;
  /** Per app: stable and canary releases (version, digest, path). */
  releases: Record<string, unknown>;
  /** Per app: canary weight. */
  weights: Record<string, number>;
  /** The ramp in progress, with its step (1-based) and weight, or null. */
  ramp: { id: string; version: string; apps: string[]; step: number; weight: number } | null;
  /** The newest gate verdicts, newest first (at most 8). */
  last_gates: Pick<SwarmEvent, "ts" | "phase" | "verdict" | "reason" | "version">[];
  /** The driver lock's owner, if one is recorded (a lock file, or a row on PostgreSQL); `alive` says whether it still holds the lock. */
  lock: (Omit<LockOwner, "token"> & { alive: boolean }) | null;
  /** An unfinished closing phase (rollback or promotion) an earlier driver left, or null. */
  closing: Closing | null;
  /** The failures that make `rollout_gate` hold (empty when it passes). */
  hold_reasons: string[];
  /**
   * The SWARM log's Notion outbox: its database and how many of the stack's events it has not
   * acknowledged yet (`glidepath events flush` delivers them), or null (JSONL only).
   */
  swarm_outbox: { destination: string; pending: number } | null;
}

/** Reads the status of a stack (no update, no lock taken). */
export async function readStatus(ctx: StackContext): Promise<StackStatus> {
  const outputs = await ctx.stack.outputs();
  const value = <T>(k: string, fallback: T): T => (outputs[k]?.value as T | undefined) ?? fallback;
  const files = eventFiles(ctx.projectDir);
  const runtime = await readRuntimeEvents(files.runtime, ctx.stack.name);
  const { reasons, ...health } = holdOf(runtime);
  const swarm = await readSwarmEvents(files.swarm, ctx.stack.name);
  const gates = swarm
    .filter((e) => e.phase.startsWith("canary:") || e.phase === "rollback:triggered")
    .slice(-8)
    .reverse()
    .map(({ ts, phase, verdict, reason, version }) => ({ ts, phase, verdict, reason, version }));
  const lock = await readStackLockOwner(ctx);
  const ramp = value<StackStatus["ramp"]>("ramp", null);
  const swarmOutbox = await outboxStatus(ctx, files.swarm);
  const figures = deriveRuntimeStatus({
    runtime,
    swarm,
    outputs: { wasm: outputs.wasm?.value, releases: outputs.releases?.value },
    pending: swarmOutbox?.pending ?? null,
    now: Date.now(),
  });
  return {
    stack: ctx.stack.name,
    releases: value("releases", {}),
    weights: value("weights", {}),
    ramp: ramp
      ? { id: ramp.id, version: ramp.version, apps: ramp.apps, step: ramp.step + 1, weight: ramp.weight }
      : null,
    ...health,
    ...figures,
    hold_reasons: health.rollout_gate === "hold" ? reasons : [],
    last_gates: gates,
    lock,
    closing: (await readClosing(ctx.stack)) ?? null,
    swarm_outbox: swarmOutbox,
  };
}

async function outboxStatus(ctx: StackContext, file: string): Promise<StackStatus["swarm_outbox"]> {
  const d = ctx.swarm.destination;
  if (d.kind !== "notion") return null;
  return {
    destination: `notion database ${d.databaseId}`,
    pending: await countPending(ctx.projectDir, file, ctx.stack.name, d),
  };
}
