/**
 * The gate's policy digest: SHA-256 hex of the canonical JSON of the gate's settings
 * (`glidepath:gate`) and the SHA-256 of the baseline file's bytes (`null` without one). A
 * verdict is bound to it, so editing either after a PASS refuses production until the gate
 * runs again.
 */
import { createHash } from "node:crypto";
import type { GateConfig } from "../../../infra/gate-config";
import { baselineDigest } from "../baseline/accept";
import { baselineFile, readIfExists } from "../baseline/files";
import { canonicalJson } from "./verdict";

/**
 * The policy digest (pure).
 *
 * @param gate - the gate's settings
 * @param baseline - the baseline file's bytes, undefined when there is none
 */
export function policyDigestOf(gate: GateConfig, baseline: Uint8Array | undefined): string {
  const doc = { gate, baseline: baseline === undefined ? null : baselineDigest(baseline) };
  return createHash("sha256").update(canonicalJson(doc)).digest("hex");
}

/**
 * The stack's policy digest now.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param gate - the stack's gate settings
 */
export async function currentPolicyDigest(
  projectDir: string,
  stack: string,
  gate: GateConfig,
): Promise<string> {
  return policyDigestOf(gate, await readIfExists(baselineFile(projectDir, stack)));
}
