/**
 * The compliance manifest of a WASM deliverable: pure rules over what {@link inspectWasm}
 * found. The same module always gives a byte-identical manifest (no timestamps, sorted
 * lists, fixed key order).
 */
import type { Inspection } from "./inspect";
import type { ManifestSignature } from "./signature";

/** Runtime profiles a deliverable can target. */
export const RUNTIME_PROFILES = ["wasm_wasi", "channel_automation_wasi"] as const;
/** A runtime profile. */
export type RuntimeProfile = (typeof RUNTIME_PROFILES)[number];

/**
 * The compatibility matrix: for each runtime profile, the constraint profile it runs under
 * and what that profile requires. One table, read by the manifest, `glidepath wasm inspect`
 * and docs/wasm.md (which gives the source of each column).
 */
export interface CompatibilityRow {
  /** Constraint profile id, recorded in the manifest as `runtime_constraints.profile_id`. */
  constraintProfileId: string;
  /** The role of the host that runs the module under this profile. */
  targetRole: string;
  /** The ABI every `wasi*` import must use: WASI preview2 (`wasi:<package>/<interface>@0.2.x`). */
  requiredAbi: "wasi_preview2";
  /** WASI interface packages the profile grants (`wasi:<package>/…`). */
  allowedWasiPackages: readonly string[];
  /** Runtime features the host must enable to run the module. */
  requiredFeatureGates: readonly string[];
  /** Largest artifact the profile accepts, in bytes. */
  maxArtifactSizeBytes: number;
}

// The functions below use this module-private name: Pulumi's closure serializer captures a
// private constant by value, but an exported one as a property of `exports`, which it drops.
const matrix: Readonly<Record<RuntimeProfile, CompatibilityRow>> = {
  wasm_wasi: {
    constraintProfileId: "control_plane_gateway_v1",
    targetRole: "control_plane_gateway",
    requiredAbi: "wasi_preview2",
    allowedWasiPackages: ["cli", "clocks", "http", "io", "random"],
    requiredFeatureGates: ["component-model", "wasi-http"],
    maxArtifactSizeBytes: 25 * 1024 * 1024,
  },
  channel_automation_wasi: {
    constraintProfileId: "channel_automation_runtime_v1",
    targetRole: "channel_automation_runtime",
    requiredAbi: "wasi_preview2",
    allowedWasiPackages: ["cli", "clocks", "filesystem", "http", "io", "random", "sockets"],
    requiredFeatureGates: ["component-model", "wasi-http", "wasi-sockets"],
    maxArtifactSizeBytes: 25 * 1024 * 1024,
  },
};

/** The compatibility matrix, by runtime profile (see {@link CompatibilityRow}). */
export const COMPATIBILITY_MATRIX = matrix;

const legacyImports: Readonly<
  Record<string, "forbidden_wasi_snapshot_preview1" | "forbidden_wasi_unstable">
> = {
  wasi_snapshot_preview1: "forbidden_wasi_snapshot_preview1",
  wasi_unstable: "forbidden_wasi_unstable",
};

/** Import modules that are never accepted, the legacy (pre-preview2) WASI ABIs, with their reason code. */
export const FORBIDDEN_LEGACY_IMPORTS = legacyImports;

/** Reason codes of a verdict; stable, documented in docs/wasm.md. */
export type ReasonCode =
  | "artifact_too_large"
  | "not_wasm"
  | "truncated"
  | "unsupported_version"
  | "invalid_module"
  | "forbidden_wasi_snapshot_preview1"
  | "forbidden_wasi_unstable"
  | "wasi_import_not_preview2"
  | "capability_not_in_profile";

/** One finding: a reason code and the import or detail it is about. */
export interface Finding {
  code: ReasonCode;
  subject: string;
}

/** The manifest written beside `<sha>.wasm` as `<sha>.manifest.json`. */
export interface WasmManifest {
  blueprint_id: string;
  artifact_sha256: string;
  artifact_size_bytes: number;
  binary_kind: "core" | "component" | "unknown";
  runtime_profile: RuntimeProfile;
  runtime_constraints: { profile_id: string };
  observed_import_modules: string[];
  capability_constraints: { allowed_wasi_packages: string[] };
  compliance: { verdict: "compliant" | "non_compliant"; reason_codes: ReasonCode[]; findings: Finding[] };
  /** Ed25519 signature over the rest of the manifest (see `signature.ts`). @default - none: unsigned */
  signature?: ManifestSignature;
}

const PREVIEW2 = /^wasi:([a-z][a-z0-9-]*)\/[a-z][a-z0-9-]*(@0\.2\.\d+(-[0-9A-Za-z.-]+)?)?$/;

/**
 * Judges the imports of a module against a constraint profile.
 *
 * @param importModules - observed import modules (core) or interfaces (component)
 * @param profileId - constraint profile id
 */
export function judgeImports(importModules: readonly string[], profileId: string): Finding[] {
  const row = Object.values(matrix).find((r) => r.constraintProfileId === profileId);
  const allowed = new Set(row?.allowedWasiPackages ?? []);
  const findings: Finding[] = [];
  for (const m of importModules) {
    const legacy = legacyImports[m];
    if (legacy !== undefined) findings.push({ code: legacy, subject: m });
    else if (m.startsWith("wasi")) {
      const p2 = PREVIEW2.exec(m);
      if (!p2) findings.push({ code: "wasi_import_not_preview2", subject: m });
      else if (!allowed.has(p2[1] ?? "")) findings.push({ code: "capability_not_in_profile", subject: m });
    }
  }
  return findings;
}

/** Inputs of {@link buildManifest}. */
export interface ManifestInput {
  /** Blueprint the deliverable belongs to (its folder on the target). */
  blueprintId: string;
  /** sha-256 (hex) of the binary. */
  sha256: string;
  /** Size of the binary in bytes. */
  size: number;
  /** Runtime profile. */
  runtimeProfile: RuntimeProfile;
  /** What inspection found. */
  inspection: Inspection;
}

/** Builds the manifest and its verdict. */
export function buildManifest(input: ManifestInput): WasmManifest {
  const row = matrix[input.runtimeProfile];
  const profileId = row.constraintProfileId;
  const imports = input.inspection.ok ? [...input.inspection.importModules].sort() : [];
  const findings: Finding[] = input.inspection.ok
    ? judgeImports(imports, profileId)
    : [{ code: input.inspection.reason, subject: input.inspection.detail }];
  if (input.size > row.maxArtifactSizeBytes) {
    findings.push({
      code: "artifact_too_large",
      subject: `${input.size} bytes; ${profileId} accepts at most ${row.maxArtifactSizeBytes}`,
    });
  }
  const reasonCodes = [...new Set(findings.map((f) => f.code))].sort();
  return {
    blueprint_id: input.blueprintId,
    artifact_sha256: input.sha256,
    artifact_size_bytes: input.size,
    binary_kind: input.inspection.ok ? input.inspection.kind : "unknown",
    runtime_profile: input.runtimeProfile,
    runtime_constraints: { profile_id: profileId },
    observed_import_modules: imports,
    capability_constraints: { allowed_wasi_packages: [...row.allowedWasiPackages] },
    compliance: {
      verdict: reasonCodes.length === 0 ? "compliant" : "non_compliant",
      reason_codes: reasonCodes,
      findings: findings.sort((a, b) => `${a.code}${a.subject}`.localeCompare(`${b.code}${b.subject}`)),
    },
  };
}

/** The manifest as the bytes written to the target. */
export function manifestText(m: WasmManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
