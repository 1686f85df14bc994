/**
 * The closing phase of a ramp (rolling back, or promoting), recorded as a stack tag before its
 * update starts and removed only once it is done. Both phases drop the ramp pointer from the
 * config before their update runs, so without this mark a driver killed inside that update
 * would leave the next one no way to tell an interrupted rollback or promotion from a stack
 * at rest. The next `glidepath rollout` finishes the phase first.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { z } from "zod";
import { GlidepathError } from "../errors";

/** The stack tag holding the closing phase. */
export const CLOSING_TAG = "glidepath:closing";

const closingSchema = z.strictObject({
  phase: z.enum(["rolling_back", "promoting"]),
  rampId: z.string(),
  version: z.string(),
  apps: z.array(z.string()),
  /** Why the ramp is being rolled back. */
  reason: z.string().optional(),
  /** What rolled it back (see the rollout report's `cause`). @default - an error */
  cause: z.enum(["gate", "error", "signal"]).optional(),
  /** The green state the ramp started from (see the ramp pointer's `restore`). */
  restore: z.strictObject({ update: z.number().int(), digest: z.string() }).optional(),
  /** Whether the ramp was started with `--override-hold`. */
  overrideHold: z.boolean().optional(),
});

/** A closing phase in progress. */
export type Closing = z.infer<typeof closingSchema>;

/**
 * Reads the closing phase, if one was left unfinished.
 *
 * @param stack - the stack
 */
export async function readClosing(stack: Stack): Promise<Closing | undefined> {
  const tags = await stack.workspace.listTags(stack.name);
  const text = tags[CLOSING_TAG];
  if (text === undefined) return undefined;
  try {
    return closingSchema.parse(JSON.parse(text));
  } catch {
    throw new GlidepathError(
      "GP_CLOSING_PENDING",
      `stack tag ${CLOSING_TAG} of stack "${stack.name}" holds an unreadable value; nothing was changed`,
      `check the stack with \`glidepath status --stack ${stack.name}\`, then remove the tag with \`pulumi stack tag rm ${CLOSING_TAG} --stack ${stack.name}\``,
    );
  }
}

/**
 * Records the closing phase before its update starts.
 *
 * @param stack - the stack
 * @param closing - the phase (the reason is cut to 200 characters)
 */
export async function markClosing(stack: Stack, closing: Closing): Promise<void> {
  const value: Closing = { ...closing };
  if (value.reason !== undefined) value.reason = value.reason.slice(0, 200);
  await stack.workspace.setTag(stack.name, CLOSING_TAG, JSON.stringify(value));
}

/** Removes the closing phase once it is done (no-op when there is none). */
export async function clearClosing(stack: Stack): Promise<void> {
  const tags = await stack.workspace.listTags(stack.name);
  if (CLOSING_TAG in tags) await stack.workspace.removeTag(stack.name, CLOSING_TAG);
}

/**
 * Refuses a command that would change the stack while a closing phase is unfinished: an `up`
 * or a promotion then would leave the mark behind, and the next rollout would finish a stale
 * rollback instead of ramping.
 *
 * @param stack - the stack
 * @param command - what was refused, for the message (`glidepath up`)
 * @throws GlidepathError `GP_CLOSING_PENDING` (exit 2) naming the phase and how to finish it
 */
export async function refuseWhileClosing(stack: Stack, command: string): Promise<void> {
  const closing = await readClosing(stack);
  if (closing === undefined) return;
  const what = closing.phase === "rolling_back" ? "rollback" : "promotion";
  throw new GlidepathError(
    "GP_CLOSING_PENDING",
    `stack "${stack.name}" has an unfinished ${what} of ${closing.apps.join(", ")} to ${closing.version} (left by an earlier driver${closing.reason ? `: ${closing.reason}` : ""}); \`${command}\` would leave it half done; nothing was changed`,
    `finish it first with \`glidepath rollout --stack ${stack.name} --version ${closing.version}\` (or \`glidepath rollback --stack ${stack.name}\`), then run \`${command}\` again`,
  );
}
