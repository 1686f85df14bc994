/**
 * Where golden tags live and what each records: beside the stack's audit log (so every checkout
 * that shares the state shares them), `golden/<tag>.tar` (the archive of the build's bundles)
 * and `golden/<tag>.json` (what a restore needs: the config of the update the tag names, secrets
 * masked, its history version and config digest, the bundles and the archive's digest).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { z } from "zod";
import { auditDir } from "../audit/log-file";
import { GlidepathError } from "../errors";
import { sha256Hex } from "./archive";

/** The record's schema id. */
export const GOLDEN_SCHEMA = "glidepath.golden/v1";

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** A golden tag's record. */
export const goldenRecordSchema = z.strictObject({
  schema: z.literal(GOLDEN_SCHEMA),
  stack: z.string().min(1),
  tag: z.string().min(1),
  /** When it was created (ISO 8601, UTC). */
  time: z.iso.datetime(),
  buildId: z.string().regex(/^[0-9a-f]{16}$/),
  /** Bundle key → SHA-256 hex (as the gate names them). */
  bundles: z.record(z.string(), sha256Schema),
  /** The archive: its file name beside the record and the SHA-256 of its bytes. */
  archive: z.strictObject({ file: z.string().min(1), sha256: sha256Schema }),
  /** The stack-history number of the update the tag names. */
  updateVersion: z.number().int().positive(),
  /** `configDigest` of that update's config. */
  configDigest: z.string().min(1),
  /** That update's config, secrets masked (their names only). */
  config: z.record(
    z.string(),
    z.object({ value: z.string().optional(), objectValue: z.unknown().optional(), secret: z.boolean() }),
  ),
  /** The project's git commit when the tag was made. */
  commit: z.string().regex(/^[0-9a-f]{40,64}$/),
});

/** A golden tag's record. */
export type GoldenRecord = z.infer<typeof goldenRecordSchema>;

/**
 * The directory of a stack's golden tags.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param backendUrl - the backend @default - as the audit log's
 */
export function goldenDir(projectDir: string, stack: string, backendUrl?: string): string {
  return path.join(auditDir(projectDir, stack, backendUrl), "golden");
}

/**
 * A golden record's text, parsed and checked to be the record of `tag` on `stack` (pure): what
 * the rollback reads and what the program's guard reads before it admits a restore.
 *
 * @param text - the record file's text
 * @param stack - the stack it must be of
 * @param tag - the tag it must be of
 */
export function parseGoldenRecord(
  text: string,
  stack: string,
  tag: string,
): { record: GoldenRecord } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: "its record is not JSON" };
  }
  const parsed = goldenRecordSchema.safeParse(json);
  if (!parsed.success || parsed.data.tag !== tag || parsed.data.stack !== stack)
    return { error: "its record is not a golden record of this tag" };
  return { record: parsed.data };
}

/**
 * Reads a tag's record and its archive, checking the archive's digest against the record and
 * the audit entry.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param tag - the tag
 * @param archiveDigest - the digest the audit entry recorded
 * @throws GlidepathError `GP_GOLDEN_CORRUPT` (exit 2)
 */
export async function readGolden(
  projectDir: string,
  stack: string,
  tag: string,
  archiveDigest: string,
): Promise<{ record: GoldenRecord; archive: Buffer }> {
  const dir = goldenDir(projectDir, stack);
  const corrupt = (why: string) =>
    new GlidepathError(
      "GP_GOLDEN_CORRUPT",
      `golden tag ${tag} of stack "${stack}": ${why}; nothing was changed`,
      `restore ${dir} from a backup, or roll back to another tag (\`glidepath golden quarantine ${tag} --stack ${stack}\` revokes this one)`,
    );
  const text = await fs.readFile(path.join(dir, `${tag}.json`), "utf8").catch(() => undefined);
  if (text === undefined) throw corrupt(`its record ${path.join(dir, `${tag}.json`)} is missing`);
  const parsed = parseGoldenRecord(text, stack, tag);
  if ("error" in parsed) throw corrupt(parsed.error);
  const record = parsed.record;
  const archive = await fs.readFile(path.join(dir, record.archive.file)).catch(() => undefined);
  if (archive === undefined) throw corrupt(`its archive ${record.archive.file} is missing`);
  const digest = sha256Hex(archive);
  if (digest !== record.archive.sha256 || digest !== archiveDigest)
    throw corrupt(`its archive has SHA-256 ${digest}, the audit log recorded ${archiveDigest}`);
  return { record, archive };
}
