/**
 * A build's evidence manifest on disk: written after the shots, read back with its schema, and
 * verified against the files it names (each shot's SHA-256 must match its PNG, and every file
 * must stay inside the manifest's directory). The gate and `history --build` read evidence only
 * through {@link verifyEvidence}.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "../atomic-write";
import { GlidepathError } from "../errors";
import { type EvidenceManifest, evidenceManifestFile, evidenceManifestSchema } from "../gate/verdict";

/** SHA-256 hex of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The directory of a build's evidence (the manifest and its PNGs).
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param id - the build id
 * @param backendUrl - the backend @default - as the audit log's
 */
export function evidenceDir(projectDir: string, stack: string, id: string, backendUrl?: string): string {
  return path.dirname(evidenceManifestFile(projectDir, stack, id, backendUrl));
}

/**
 * A shot's file name in the build's directory: its flow name with `/` as `--`, e.g. `wix--index.png`.
 *
 * @param name - the flow's name
 */
export function shotFileName(name: string): string {
  return `${name.replace(/\//g, "--").replace(/[^A-Za-z0-9._-]/g, "_")}.png`;
}

/**
 * Writes a manifest (validated first: an invalid one is a bug, never written).
 *
 * @param file - the manifest's path
 * @param manifest - the manifest
 */
export async function writeManifest(file: string, manifest: EvidenceManifest): Promise<void> {
  const valid = evidenceManifestSchema.parse(manifest);
  await writeFileAtomic(file, `${JSON.stringify(valid, null, 2)}\n`);
}

/**
 * Reads and validates a manifest.
 *
 * @param file - the manifest's path
 * @returns the manifest, or undefined when there is no file
 * @throws GlidepathError `GP_EVIDENCE_INVALID` when it is not JSON or not a manifest
 */
export async function readManifest(file: string): Promise<EvidenceManifest | undefined> {
  const text = await fs.readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(file, `not JSON (${(e as Error).message})`);
  }
  const r = evidenceManifestSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw invalid(file, `${i?.path.join(".") || "(root)"}: ${i?.message}`);
  }
  return r.data;
}

function invalid(file: string, why: string): GlidepathError {
  return new GlidepathError(
    "GP_EVIDENCE_INVALID",
    `the evidence manifest ${file} is invalid: ${why}`,
    "capture the build's evidence again (glidepath evidence capture); keep the old directory if it is needed as evidence of tampering",
  );
}

/** What is wrong with one shot of a manifest. */
export interface ShotProblem {
  name: string;
  problem: "outside" | "missing" | "digest-mismatch";
  detail: string;
}

/**
 * Checks every shot of a manifest against its file: inside the manifest's directory, present,
 * and with the SHA-256 the manifest records.
 *
 * @param dir - the manifest's directory
 * @param manifest - the manifest
 * @returns the problems, none when every shot matches
 */
export async function checkShots(dir: string, manifest: EvidenceManifest): Promise<ShotProblem[]> {
  const problems: ShotProblem[] = [];
  for (const s of manifest.shots) {
    const file = path.resolve(dir, s.file);
    const rel = path.relative(dir, file);
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
      problems.push({ name: s.name, problem: "outside", detail: `${s.name}: ${s.file} leaves ${dir}` });
      continue;
    }
    const bytes = await fs.readFile(file).catch(() => undefined);
    if (bytes === undefined) {
      problems.push({ name: s.name, problem: "missing", detail: `${s.name}: ${file} is missing` });
      continue;
    }
    const got = sha256Hex(bytes);
    if (got !== s.sha256)
      problems.push({
        name: s.name,
        problem: "digest-mismatch",
        detail: `${s.name}: ${s.file} has SHA-256 ${got}, the manifest records ${s.sha256}`,
      });
  }
  return problems;
}

/** A manifest read back and checked against its files. */
export interface VerifiedEvidence {
  file: string;
  manifest: EvidenceManifest;
  /** Empty when every shot matches its file. */
  problems: ShotProblem[];
}

/**
 * Reads a build's manifest and checks its shots: what the gate and `history --build` use.
 *
 * @param file - the manifest ({@link evidenceManifestFile})
 * @param expectBuildId - the build the manifest must be for @default - any
 * @returns undefined when there is no manifest
 * @throws GlidepathError `GP_EVIDENCE_INVALID` for a manifest that does not validate or is for another build
 */
export async function verifyEvidence(
  file: string,
  expectBuildId?: string,
): Promise<VerifiedEvidence | undefined> {
  const manifest = await readManifest(file);
  if (manifest === undefined) return undefined;
  if (expectBuildId !== undefined && manifest.buildId !== expectBuildId)
    throw invalid(file, `buildId is ${manifest.buildId}, its directory is for ${expectBuildId}`);
  return { file, manifest, problems: await checkShots(path.dirname(file), manifest) };
}
