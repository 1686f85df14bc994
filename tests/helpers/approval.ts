/**
 * Fixtures of the deploy-approval tests: a passing gate verdict for given bundles (what
 * `glidepath gate` writes), written where the stack's checks read it.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { GATE_VERDICT_SCHEMA, type GateVerdict } from "../../automation/lib/gate/verdict";

/**
 * A PASS verdict of `stack` over `bundles`.
 *
 * @param stack - the stack
 * @param bundles - bundle key → SHA-256 hex
 * @param time - when the gate ran @default - now
 */
export function passVerdict(stack: string, bundles: Record<string, string>, time = new Date()): GateVerdict {
  return {
    schema: GATE_VERDICT_SCHEMA,
    stack,
    result: "PASS",
    time: time.toISOString(),
    ttlSeconds: 3600,
    bundles,
    policyDigest: "a".repeat(64),
    evidence: {},
    checks: [{ id: "config", title: "the stack's config is valid", status: "PASS", detail: "fixture" }],
  };
}

/**
 * Writes a verdict to its file.
 *
 * @param file - the verdict file (`gateVerdictFile(projectDir, stack)`)
 * @param verdict - the verdict
 */
export async function writeVerdict(file: string, verdict: GateVerdict): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(verdict, null, 2)}\n`);
}
