/**
 * `glidepath wasm inspect`: re-reads a packaged deliverable (the manifest and the artifact
 * beside it), recomputes the artifact's sha-256 and size, re-derives its imports, judges them
 * against the compatibility matrix, checks the signature, and reports with the fields of
 * {@link wasmInspectReportSchema}. Pure apart from {@link readPackage}.
 */
import * as fs from "node:fs/promises";
import { z } from "zod";
import { COMPATIBILITY_MATRIX, RUNTIME_PROFILES, type WasmManifest } from "../../providers/wasm/manifest";
import { packageWasm } from "../../providers/wasm/package";
import { type SignaturePolicy, signatureReasonCodes, verifyManifest } from "../../providers/wasm/signature";

/**
 * Reason codes of the report beyond the manifest's own (which are re-derived from the artifact):
 * the artifact is missing, its sha-256 or size is not the manifest's, the manifest's imports or
 * constraint profile are not what the artifact and profile give, or the signature fails.
 */
export const INSPECT_REASON_CODES = [
  "artifact_missing",
  "sha256_mismatch",
  "size_mismatch",
  "imports_mismatch",
  "profile_mismatch",
  "signature_invalid",
  "signature_missing",
  "signer_not_trusted",
] as const;

/** The report of `glidepath wasm inspect` (`--json` prints exactly this). */
export const wasmInspectReportSchema = z.strictObject({
  /** Constraint profile of the manifest's runtime profile (`control_plane_gateway_v1`, …). */
  constraint_profile_id: z.string(),
  /** Role of the host that runs it (`control_plane_gateway`, `channel_automation_runtime`). */
  constraint_target_role: z.string(),
  /** The runtime profile the manifest names (`wasm_wasi` | `channel_automation_wasi`). */
  required_runtime_profile: z.enum(RUNTIME_PROFILES),
  /** The ABI every WASI import must use: `wasi_preview2`. */
  required_abi: z.literal("wasi_preview2"),
  /** True when `reason_codes` is empty. */
  compliant: z.boolean(),
  /** Why not, sorted: the manifest's codes re-derived from the artifact, then {@link INSPECT_REASON_CODES}. */
  reason_codes: z.array(z.string()),
  /** The artifact's import modules (core) or interfaces (component), re-derived, sorted. */
  observed_import_modules: z.array(z.string()),
  /** Runtime features the host must enable for this constraint profile. */
  required_feature_gates: z.array(z.string()),
  /** Largest artifact the constraint profile accepts, in bytes. */
  max_artifact_size_bytes: z.number().int().positive(),
  /** The manifest's signature: `valid`, `invalid` or `unsigned`. */
  signature: z.enum(["valid", "invalid", "unsigned"]),
});

/** A `glidepath wasm inspect` report. */
export type WasmInspectReport = z.infer<typeof wasmInspectReportSchema>;

/** What the inspection needs of a manifest; other members are kept (they are signed). */
export const manifestReadSchema = z.looseObject({
  blueprint_id: z.string().min(1),
  artifact_sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "expected a sha-256 hex digest" }),
  artifact_size_bytes: z.number().int().min(0),
  runtime_profile: z.enum(RUNTIME_PROFILES, { error: `expected one of: ${RUNTIME_PROFILES.join(", ")}` }),
  runtime_constraints: z.looseObject({ profile_id: z.string() }),
  observed_import_modules: z.array(z.string()),
  signature: z.looseObject({ signer: z.unknown() }).optional(),
});

/** A manifest as read back. */
export type ReadManifest = z.infer<typeof manifestReadSchema>;

/**
 * The artifact beside a manifest: `<dir>/<sha>.manifest.json` → `<dir>/<sha>.wasm`.
 *
 * @param manifestPath - the manifest's path
 * @returns undefined when the name does not end in `.manifest.json`
 */
export function artifactBeside(manifestPath: string): string | undefined {
  return manifestPath.endsWith(".manifest.json")
    ? `${manifestPath.slice(0, -".manifest.json".length)}.wasm`
    : undefined;
}

/**
 * Judges a packaged deliverable.
 *
 * @param manifest - the manifest, parsed with {@link manifestReadSchema} (signature and all)
 * @param artifact - the artifact's bytes @default - none: the artifact is missing
 * @param policy - what the signature must be @default - any signer, unsigned accepted
 */
export async function inspectPackage(
  manifest: ReadManifest,
  artifact: Uint8Array | undefined,
  policy: SignaturePolicy = {},
): Promise<WasmInspectReport> {
  const row = COMPATIBILITY_MATRIX[manifest.runtime_profile];
  const reasons = new Set<string>();
  let observed: string[] = [];
  if (artifact === undefined) reasons.add("artifact_missing");
  else {
    const fresh: WasmManifest = (
      await packageWasm(artifact, {
        blueprintId: manifest.blueprint_id,
        runtimeProfile: manifest.runtime_profile,
      })
    ).manifest;
    observed = fresh.observed_import_modules;
    for (const code of fresh.compliance.reason_codes) reasons.add(code);
    if (fresh.artifact_sha256 !== manifest.artifact_sha256) reasons.add("sha256_mismatch");
    if (fresh.artifact_size_bytes !== manifest.artifact_size_bytes) reasons.add("size_mismatch");
    // Imports are compared only when they could be re-derived (a binary that does not parse has its own code).
    const derived = fresh.binary_kind !== "unknown";
    if (derived && [...manifest.observed_import_modules].sort().join("\n") !== observed.join("\n"))
      reasons.add("imports_mismatch");
  }
  if (manifest.runtime_constraints.profile_id !== row.constraintProfileId) reasons.add("profile_mismatch");
  const signature = await verifyManifest(manifest);
  const signer = manifest.signature?.signer;
  for (const code of signatureReasonCodes(signature, typeof signer === "string" ? signer : undefined, policy))
    reasons.add(code);
  const reason_codes = [...reasons].sort();
  return {
    constraint_profile_id: row.constraintProfileId,
    constraint_target_role: row.targetRole,
    required_runtime_profile: manifest.runtime_profile,
    required_abi: row.requiredAbi,
    compliant: reason_codes.length === 0,
    reason_codes,
    observed_import_modules: observed,
    required_feature_gates: [...row.requiredFeatureGates],
    max_artifact_size_bytes: row.maxArtifactSizeBytes,
    signature,
  };
}

/** The human rendering of a report. */
export function renderInspectReport(r: WasmInspectReport, manifestPath: string, signer?: string): string {
  const list = (xs: readonly string[]) => (xs.length === 0 ? "none" : xs.join(", "));
  return [
    `${manifestPath}: ${r.compliant ? "compliant" : `NOT compliant (${list(r.reason_codes)})`}`,
    `  constraint profile  ${r.constraint_profile_id} (role ${r.constraint_target_role})`,
    `  runtime profile     ${r.required_runtime_profile}, ABI ${r.required_abi}`,
    `  imports             ${list(r.observed_import_modules)}`,
    `  feature gates       ${list(r.required_feature_gates)}`,
    `  max artifact size   ${r.max_artifact_size_bytes} bytes`,
    `  signature           ${r.signature}${signer === undefined ? "" : ` (${signer})`}`,
  ].join("\n");
}

/** A manifest file and the artifact beside it, as read. */
export interface ReadPackage {
  /** The manifest's text. */
  text: string;
  /** The artifact's bytes; undefined when it is missing. */
  artifact: Uint8Array | undefined;
}

/**
 * Reads a manifest and the artifact beside it.
 *
 * @param manifestPath - `<dir>/<sha>.manifest.json`
 * @throws Error (ENOENT and the like) when the manifest cannot be read
 */
export async function readPackage(manifestPath: string): Promise<ReadPackage> {
  const text = await fs.readFile(manifestPath, "utf8");
  const beside = artifactBeside(manifestPath);
  const artifact =
    beside === undefined
      ? undefined
      : await fs.readFile(beside).then(
          (b) => new Uint8Array(b),
          () => undefined,
        );
  return { text, artifact };
}
