/**
 * WASM compliance before any update: every configured module is inspected (a `.wat` source
 * is assembled in memory, as its build will), and a non-compliant one that the config does
 * not explicitly allow is a config issue, as is a source that does not assemble, and a
 * manifest whose signature misses the stack's `glidepath:wasmSigning` (or is invalid).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { packageWasm } from "../providers/wasm/package";
import { signatureIssue } from "../providers/wasm/signature";
import type { ConfigIssue, StackConfig } from "./config";
import { assembleWat, isWatSource } from "./wat";

/**
 * Issues for non-compliant modules (with their reason codes), and for `.wat` sources that do
 * not assemble. Missing files are left to `sourceIssues`.
 *
 * @param config - the validated config (`wasmSigning` @default - none: unsigned accepted)
 * @param projectDir - the project directory module paths are relative to
 */
export async function wasmIssues(
  config: Pick<StackConfig, "wasm"> & Partial<Pick<StackConfig, "wasmSigning">>,
  projectDir: string,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  for (const [id, w] of Object.entries(config.wasm)) {
    const file = path.resolve(projectDir, w.module);
    const raw = await fs.readFile(file).catch(() => undefined);
    if (raw === undefined) continue; // reported by sourceIssues
    let bytes: Uint8Array = raw;
    if (isWatSource(file)) {
      try {
        bytes = await assembleWat(raw.toString("utf8"));
      } catch (e) {
        issues.push({
          path: `glidepath:wasm.${id}.module`,
          message: `${w.module} does not assemble: ${e instanceof Error ? e.message : String(e)}; fix the WebAssembly text`,
        });
        continue;
      }
    }
    const { manifest } = await packageWasm(new Uint8Array(bytes), {
      blueprintId: id,
      runtimeProfile: w.runtimeProfile,
      signature: w.signature,
    });
    const unsigned = await signatureIssue(manifest, config.wasmSigning ?? {});
    if (unsigned !== undefined) {
      issues.push({
        path: `glidepath:wasm.${id}.signature`,
        message: `${w.module}: ${unsigned}`,
      });
    }
    if (manifest.compliance.verdict === "non_compliant" && !w.allowNonCompliant) {
      issues.push({
        path: `glidepath:wasm.${id}.module`,
        message:
          `non-compliant module ${w.module}: ${manifest.compliance.findings.map((f) => `${f.code} (${f.subject})`).join(", ")}; ` +
          `rebuild it for WASI preview2, or set glidepath:wasm.${id}.allowNonCompliant to true`,
      });
    }
  }
  return issues;
}
