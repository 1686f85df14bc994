/**
 * The outbox's progress: `artifacts/swarm-delivered.jsonl`, one line per SWARM event a remote
 * destination acknowledged (`{id, to, ts}`), appended right after the acknowledgement. Ids, not
 * line counts (see `outbox.ts`); one file for every stack and destination.
 */
import * as path from "node:path";
import { z } from "zod";
import { appendJsonl, readJsonl } from "./jsonl";

/** One acknowledged event. */
export const deliveredSchema = z.strictObject({
  /** The SWARM event's id. */
  id: z.string().min(1),
  /** The destination (`notion:<database id>`). */
  to: z.string().min(1),
  /** When it was acknowledged. */
  ts: z.iso.datetime(),
});

/** The file under a project. */
export function deliveredFile(projectDir: string): string {
  return path.join(projectDir, "artifacts", "swarm-delivered.jsonl");
}

/**
 * The ids a destination acknowledged.
 *
 * @param file - the delivered-ids file
 * @param to - the destination's key
 */
export async function readDelivered(file: string, to: string): Promise<Set<string>> {
  const { records } = await readJsonl(file, deliveredSchema);
  return new Set(records.filter((r) => r.to === to).map((r) => r.id));
}

/**
 * Records one acknowledgement.
 *
 * @param file - the delivered-ids file
 * @param to - the destination's key
 * @param id - the event's id
 */
export async function recordDelivered(file: string, to: string, id: string): Promise<void> {
  await appendJsonl(file, deliveredSchema, { id, to, ts: new Date().toISOString() });
}
