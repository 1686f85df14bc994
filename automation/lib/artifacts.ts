/**
 * JSON artifacts the commands write (`--json-output`, the rollout and demo reports): relative
 * paths resolved against the project directory, written atomically, and never over something
 * that is not an earlier artifact of the same kind. A `--json-output Pulumi.local.yaml` would
 * otherwise replace the stack file (its encryption salt and secure values) with a summary.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-write";
import { GlidepathError } from "./errors";

/** Options of {@link writeArtifact} and {@link checkArtifactTarget}. */
export interface ArtifactTargetOptions {
  /** How the path was given, for messages (e.g. `--json-output`). @default - the artifact's path alone */
  flag?: string;
}

/**
 * The kind marker of an artifact: the `schema` member's name without its version
 * (`glidepath.orchestrator-summary/v1` → `glidepath.orchestrator-summary`).
 *
 * @param data - an artifact, or the content of an existing file
 * @returns the marker, or undefined when `data` carries none
 */
export function artifactKind(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const schema = (data as { schema?: unknown }).schema;
  return typeof schema === "string" && schema.startsWith("glidepath.")
    ? schema.replace(/\/[^/]*$/, "")
    : undefined;
}

/**
 * Whether the existing text may be replaced by an artifact of `kind` (pure): an empty file, or
 * a JSON object of the same kind. An artifact without a marker (`kind` undefined, the rollout
 * report at its fixed path) replaces any JSON object without a marker.
 *
 * @param existing - the file's current text
 * @param kind - the new artifact's {@link artifactKind}
 * @returns undefined when it may, else why not
 */
export function replaceRefusal(existing: string, kind: string | undefined): string | undefined {
  if (existing.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(existing);
  } catch {
    return "it is not JSON";
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return "it is not a JSON object";
  const found = artifactKind(parsed);
  if (found === kind) return undefined;
  const wanted = kind ?? "glidepath report";
  return found === undefined
    ? `it is not a ${wanted} artifact`
    : `it holds a ${found} artifact, not a ${wanted}`;
}

function refused(shown: string, why: string): GlidepathError {
  return new GlidepathError(
    "GP_ARG_INVALID",
    `${shown}: refusing to write the JSON artifact there: ${why}; nothing was written`,
    "name a new file or an earlier artifact of the same kind (for example under artifacts/), or move the existing one away first",
  );
}

/**
 * Checks, before any work, that an artifact of `kind` may be written at `file`: it does not
 * exist, or it is an earlier artifact of the same kind (see {@link replaceRefusal}). A
 * directory, a symbolic link or any other file is refused.
 *
 * @param projectDir - base of a relative `file`
 * @param file - the artifact's path
 * @param kind - the artifact's kind marker (see {@link artifactKind}); undefined for an unmarked artifact
 * @param opts - see {@link ArtifactTargetOptions} @default - `{}`
 * @returns the absolute path
 * @throws GlidepathError `GP_ARG_INVALID` (exit 2) naming the path and why
 */
export async function checkArtifactTarget(
  projectDir: string,
  file: string,
  kind: string | undefined,
  opts: ArtifactTargetOptions = {},
): Promise<string> {
  const target = path.resolve(projectDir, file);
  const shown = opts.flag === undefined ? target : `${opts.flag}=${JSON.stringify(file)} (${target})`;
  const stat = await fs.lstat(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  if (stat === undefined) return target;
  if (stat.isDirectory()) throw refused(shown, "it is a directory");
  if (stat.isSymbolicLink()) throw refused(shown, "it is a symbolic link");
  if (!stat.isFile()) throw refused(shown, "it is not a regular file");
  const why = replaceRefusal(await fs.readFile(target, "utf8"), kind);
  if (why !== undefined) throw refused(shown, `the file exists and ${why}`);
  return target;
}

/**
 * Writes `data` as indented JSON, atomically, after {@link checkArtifactTarget}.
 *
 * @param projectDir - base of a relative `file`
 * @param file - the artifact's path
 * @param data - the (already schema-validated) content; its `schema` member is its kind
 * @param opts - see {@link ArtifactTargetOptions} @default - `{}`
 * @returns the absolute path written
 * @throws GlidepathError `GP_ARG_INVALID` when the path is refused; no temp file is left on any failure
 */
export async function writeArtifact(
  projectDir: string,
  file: string,
  data: unknown,
  opts: ArtifactTargetOptions = {},
): Promise<string> {
  const target = await checkArtifactTarget(projectDir, file, artifactKind(data), opts);
  await writeFileAtomic(target, `${JSON.stringify(data, null, 2)}\n`);
  return target;
}
