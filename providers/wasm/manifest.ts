/**
 * The compliance manifest of a WASM deliverable: pure rules over what {@link inspectWasm}
 * found. The same module always gives a byte-identical manifest (no timestamps, sorted
 * lists, fixed key order).
 */
import type { Inspection } from "./inspect";

/** Runtime profiles a deliverable can target. */
export const RUNTIME_PROFILES = ["wasm_wasi", "channel_automation_wasi"] as const;
/** A runtime profile. */
export type RuntimeProfile = (typeof RUNTIME_PROFILES)[number];

// The functions below use these module-private names: Pulumi's closure serializer captures a
// private constant by value, but an exported one as a property of `exports`, which it drops.
const constraintProfiles: Readonly<Record<RuntimeProfile, string>> = {
  wasm_wasi: "control_plane_gateway_v1",
  channel_automation_wasi: "channel_automation_runtime_v1",
};
const capabilities: Readonly<Record<string, readonly string[]>> = {
  control_plane_gateway_v1: ["cli", "clocks", "http", "io", "random"],
  channel_automation_runtime_v1: ["cli", "clocks", "filesystem", "http", "io", "random", "sockets"],
};

/** The constraint profile each runtime profile runs under. */
export const CONSTRAINT_PROFILES = constraintProfiles;

/** WASI interface packages each constraint profile grants (`wasi:<package>/…`). */
export const CAPABILITIES = capabilities;

/** Reason codes of a verdict; stable, documented in docs/architecture.md. */
export type ReasonCode =
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
}

const PREVIEW2 = /^wasi:([a-z][a-z0-9-]*)\/[a-z][a-z0-9-]*(@0\.2\.\d+(-[0-9A-Za-z.-]+)?)?$/;

/**
 * Judges the imports of a module against a constraint profile.
 *
 * @param importModules - observed import modules (core) or interfaces (component)
 * @param profileId - constraint profile id
 */
export function judgeImports(importModules: readonly string[], profileId: string): Finding[] {
  const allowed = new Set(capabilities[profileId] ?? []);
  const findings: Finding[] = [];
  for (const m of importModules) {
    if (m === "wasi_snapshot_preview1")
      findings.push({ code: "forbidden_wasi_snapshot_preview1", subject: m });
    else if (m === "wasi_unstable") findings.push({ code: "forbidden_wasi_unstable", subject: m });
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
  const profileId = constraintProfiles[input.runtimeProfile];
  const imports = input.inspection.ok ? [...input.inspection.importModules].sort() : [];
  const findings: Finding[] = input.inspection.ok
    ? judgeImports(imports, profileId)
    : [{ code: input.inspection.reason, subject: input.inspection.detail }];
  const reasonCodes = [...new Set(findings.map((f) => f.code))].sort();
  return {
    blueprint_id: input.blueprintId,
    artifact_sha256: input.sha256,
    artifact_size_bytes: input.size,
    binary_kind: input.inspection.ok ? input.inspection.kind : "unknown",
    runtime_profile: input.runtimeProfile,
    runtime_constraints: { profile_id: profileId },
    observed_import_modules: imports,
    capability_constraints: { allowed_wasi_packages: [...(capabilities[profileId] ?? [])] },
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
