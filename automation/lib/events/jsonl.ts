/**
 * Append-only JSONL files: each record is validated, serialized to one line and appended with
 * `O_APPEND` (one `write` per line, so concurrent writers do not interleave within a line).
 * Nothing is ever rewritten or removed.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { z } from "zod";

/**
 * Appends one record.
 *
 * @param file - the JSONL file (created with its directory)
 * @param schema - the record's schema; an invalid record is a bug and throws
 * @param record - the record
 */
export async function appendJsonl<T>(file: string, schema: z.ZodType<T>, record: T): Promise<void> {
  const line = `${JSON.stringify(schema.parse(record))}\n`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.appendFile(file, line, { flag: "a" });
}

/**
 * Reads every valid record; lines that do not parse (a torn last line after a crash) are
 * skipped and counted.
 *
 * @param file - the JSONL file; a missing file reads as empty
 * @param schema - the record's schema
 */
export async function readJsonl<T>(
  file: string,
  schema: z.ZodType<T>,
): Promise<{ records: T[]; skipped: number }> {
  const text = await fs.readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return "";
    throw e;
  });
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}
