/**
 * `glidepath events flush --stack S [--json]`: delivers the stack's SWARM events that its Notion
 * database has not acknowledged yet (a Notion outage, a bad token or a command cut short left
 * them in the local log), in log order, each once. Holds the driver lock, so it never delivers
 * alongside a running rollout. Exit 0 when nothing is left pending.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { withDriverLock } from "../lib/driver/session";
import { GlidepathError, isGlidepathError } from "../lib/errors";
import { assertSwarmDeliverable } from "../lib/events/swarm-open";
import { emit, openExistingStack, parseArgs, stackArgs, withStackOptions } from "./common";

export const command = "events <action>";
export const describe = "deliver the SWARM events still pending for the stack's Notion database (flush)";

export function builder(y: Argv) {
  return withStackOptions(y).positional("action", {
    type: "string",
    choices: ["flush"],
    describe: "flush: deliver the pending SWARM events now",
  });
}

const args = stackArgs.extend({ action: z.literal("flush", { error: "expected flush" }) });

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await openExistingStack(a);
  const d = ctx.swarm.destination;
  if (d.kind === "jsonl") {
    emit(
      a.json,
      { stack: a.stack, destination: "jsonl", delivered: 0, pending: 0 },
      () =>
        `stack ${a.stack} keeps its SWARM log in JSONL only (no glidepath:content.notion.swarmDatabaseId): nothing to flush`,
    );
    return;
  }
  assertSwarmDeliverable(a.stack, ctx.swarm);
  const r = await withDriverLock(ctx, "events flush", async (logs) => {
    if (logs.outbox === undefined) throw new Error("a deliverable destination without an outbox");
    return logs.outbox.flush();
  });
  const doc = {
    stack: a.stack,
    destination: `notion database ${d.databaseId}`,
    delivered: r.delivered,
    pending: r.pending,
  };
  emit(a.json, doc, () => `${doc.destination}: delivered ${doc.delivered}, pending ${doc.pending}`);
  if (r.error !== undefined) {
    if (isGlidepathError(r.error)) throw r.error;
    throw new GlidepathError(
      "GP_TARGET_UNREACHABLE",
      `SWARM delivery to ${doc.destination} failed: ${r.error instanceof Error ? r.error.message : String(r.error)}`,
      "the events stay pending; run `glidepath events flush` again once Notion answers",
    );
  }
}
