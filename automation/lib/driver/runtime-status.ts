/**
 * The runtime figures `glidepath status --json` carries beside health (pure): whether the last
 * cycle failed, the delivery queue's depth, how many WASM deliverables and app releases the
 * stack has rolled out, and the freshness of its events (the newest event's time, and `stale`
 * past {@link STALE_AFTER_MS}). docs/runbook.md ("Reading glidepath status") explains each.
 */
import { FAILURE_CODES, RECOVERY_CODES, type RuntimeEvent, type SwarmEvent } from "../events/schema";

/** Events older than this make a stack's status stale: 24 hours. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** The runtime figures of a stack's status. */
export interface RuntimeStatus {
  /** The newest cycle (a judged step, a promotion, a failed step or rollback) failed: the newest failure-or-recovery event is a failure. */
  last_cycle_failed: boolean;
  /** Events waiting for delivery: the SWARM outbox's pending count (0 for a JSONL-only stack, which writes every event at once). */
  queue_depth: number;
  /** WASM deliverables in the stack's state (its `wasm` output). */
  wasm_rollout_count: number;
  /** Apps whose release the stack serves (its `releases` output, entries with a stable release). */
  cloud_rollout_count: number;
  /** The time of the stack's newest event (runtime or SWARM), or null when it has none. */
  last_event_at: string | null;
  /** The age (s) past which the status is stale. */
  stale_after_seconds: number;
  /** True when there is no event, or the newest is older than `stale_after_seconds`. */
  stale: boolean;
}

/** What {@link deriveRuntimeStatus} reads. */
export interface RuntimeStatusInput {
  /** The stack's runtime events, oldest first. */
  runtime: readonly RuntimeEvent[];
  /** The stack's SWARM events. */
  swarm: readonly Pick<SwarmEvent, "ts">[];
  /** The stack's outputs `wasm` and `releases` (as the stack outputs hold them). */
  outputs: { wasm?: unknown; releases?: unknown };
  /** The SWARM outbox's pending count, or null for a JSONL-only stack. */
  pending: number | null;
  /** Now (ms since the epoch). */
  now: number;
  /** The stale age. @default STALE_AFTER_MS */
  staleAfterMs?: number;
}

/**
 * Derives the runtime figures.
 *
 * @param i - the events, outputs, outbox and clock
 */
export function deriveRuntimeStatus(i: RuntimeStatusInput): RuntimeStatus {
  const staleAfterMs = i.staleAfterMs ?? STALE_AFTER_MS;
  const cycles = i.runtime.filter((e) => FAILURE_CODES.has(e.code) || RECOVERY_CODES.has(e.code));
  const last = cycles.at(-1);
  let newest: number | undefined;
  for (const e of [...i.runtime, ...i.swarm]) {
    const t = Date.parse(e.ts);
    if (Number.isFinite(t) && (newest === undefined || t > newest)) newest = t;
  }
  const releases = record(i.outputs.releases);
  return {
    last_cycle_failed: last !== undefined && FAILURE_CODES.has(last.code),
    queue_depth: i.pending ?? 0,
    wasm_rollout_count: Object.keys(record(i.outputs.wasm)).length,
    cloud_rollout_count: Object.values(releases).filter((r) => record(r).stable != null).length,
    last_event_at: newest === undefined ? null : new Date(newest).toISOString(),
    stale_after_seconds: Math.round(staleAfterMs / 1000),
    stale: newest === undefined || i.now - newest > staleAfterMs,
  };
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
