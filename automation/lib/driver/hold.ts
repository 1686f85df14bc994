/**
 * `rollout_gate: hold`, enforced: a stack whose health is `failing` (three failures in a row
 * in its runtime events) starts no new ramp and takes no promotion, unless the operator says
 * `--override-hold`; the override is recorded as a runtime event and in every update message
 * of the ramp. A passing gate or a promotion ends the streak.
 */
import { GlidepathError } from "../errors";
import type { RuntimeEvent } from "../events/schema";
import { readRuntimeEvents } from "../events/sinks";
import { deriveHealth, type Health, streakEvents } from "./health";

/** A stack's hold: its health and, when it holds, the failures that make it hold. */
export interface Hold extends Health {
  /** The failures of the current streak (`code: subject: detail`), oldest first, at most 5. */
  reasons: string[];
}

/**
 * Reads the hold of a stack from its runtime events.
 *
 * @param runtimeFile - the runtime event log
 * @param stack - the stack
 */
export async function readHold(runtimeFile: string, stack: string): Promise<Hold> {
  return holdOf(await readRuntimeEvents(runtimeFile, stack));
}

/**
 * The hold of a stack's runtime events (pure).
 *
 * @param events - the stack's runtime events, oldest first
 */
export function holdOf(events: readonly RuntimeEvent[]): Hold {
  const reasons = streakEvents(events)
    .slice(-5)
    .map((e) => [e.code, e.subject, e.detail].filter(Boolean).join(": "));
  return { ...deriveHealth(events), reasons };
}

/**
 * Refuses a command on a held stack.
 *
 * @param stack - the stack
 * @param hold - its hold
 * @param command - the refused command line (for the fix)
 * @throws GlidepathError `GP_ROLLOUT_HELD` (exit 2) with the reason codes and how to clear it
 */
export function refuseIfHeld(stack: string, hold: Hold, command: string): void {
  if (hold.rollout_gate !== "hold") return;
  throw new GlidepathError(
    "GP_ROLLOUT_HELD",
    `stack "${stack}" is failing (failure_streak ${hold.failure_streak}, rollout_gate hold); nothing was changed. The failures:\n${hold.reasons.map((r) => `  ${r}`).join("\n")}`,
    `find and fix the cause (\`glidepath status --stack ${stack}\`, artifacts/runtime-events.jsonl); a passing gate or a promotion clears the hold. To proceed anyway, run \`${command} --override-hold\` (recorded in the events and in every update message)`,
  );
}
