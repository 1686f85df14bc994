/**
 * How other processes find a running local edge: `<project>/.glidepath/edge/<stack>.json`
 * (URL, pid, host, target root) and, readable by the owner only, `<stack>.key` (the admin
 * key). The host writes both when it is ready and removes them when it stops; a record whose
 * process is gone is stale.
 */
import { readFileSync, rmSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../automation/lib/atomic-write";
import { processAlive } from "../../automation/lib/driver/lock";

/** The discovery record of a running edge. */
export const edgeRecordSchema = z.strictObject({
  schema: z.literal("glidepath.edge/v1"),
  stack: z.string(),
  url: z.url(),
  pid: z.number().int(),
  host: z.string(),
  root: z.string(),
  apps: z.array(z.string()),
  startedAt: z.iso.datetime(),
});

/** A discovery record. */
export type EdgeRecord = z.infer<typeof edgeRecordSchema>;

/**
 * The discovery files of a stack's edge.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export function edgeFiles(projectDir: string, stack: string): { record: string; key: string } {
  const dir = path.join(projectDir, ".glidepath", "edge");
  return { record: path.join(dir, `${stack}.json`), key: path.join(dir, `${stack}.key`) };
}

/**
 * Writes the record and the key (mode 0600), each atomically.
 *
 * @param projectDir - the project directory
 * @param record - the record
 * @param key - the admin key
 */
export async function writeEdgeRecord(projectDir: string, record: EdgeRecord, key: string): Promise<void> {
  const files = edgeFiles(projectDir, record.stack);
  await fs.mkdir(path.dirname(files.record), { recursive: true });
  for (const [file, text, mode] of [
    [files.key, key, 0o600],
    [files.record, `${JSON.stringify(record, null, 2)}\n`, 0o644],
  ] as const) {
    await writeFileAtomic(file, text, { mode, mkdir: false });
  }
}

/**
 * Removes the record and key if they are this process's. Synchronous, so that it also serves
 * `process.on("exit")`, which runs when workerd's own signal handling ends the process before
 * async cleanup could.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export function removeEdgeRecord(projectDir: string, stack: string): void {
  const files = edgeFiles(projectDir, stack);
  try {
    const found = JSON.parse(readFileSync(files.record, "utf8")) as { pid?: unknown };
    if (found.pid !== process.pid) return;
  } catch {
    return;
  }
  rmSync(files.record, { force: true });
  rmSync(files.key, { force: true });
}

/**
 * The record of a running edge of the stack, or undefined when there is none (no file, an
 * unreadable one, or its process gone).
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export async function readEdgeRecord(projectDir: string, stack: string): Promise<EdgeRecord | undefined> {
  const text = await fs.readFile(edgeFiles(projectDir, stack).record, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = edgeRecordSchema.safeParse(parsed);
  if (!r.success) return undefined;
  if (r.data.host === os.hostname() && !processAlive(r.data.pid)) return undefined;
  return r.data;
}

/**
 * The admin key of the stack's running edge.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export async function readEdgeKey(projectDir: string, stack: string): Promise<string | undefined> {
  return fs.readFile(edgeFiles(projectDir, stack).key, "utf8").catch(() => undefined);
}
