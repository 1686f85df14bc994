/**
 * Gate check `wasm`: every WASM deliverable, packaged as the program packages it, passes
 * `glidepath wasm inspect` (compatibility matrix, sha and size, imports, the stack's signature
 * policy). A module the config allows to be non-compliant (`allowNonCompliant`) still fails:
 * production takes compliant deliverables only.
 */
import * as fs from "node:fs/promises";
import { assembleWat, isWatSource } from "../../../../infra/wat";
import { packageWasm } from "../../../../providers/wasm/package";
import { inspectPackage, manifestReadSchema } from "../../wasm-inspect";
import { type GateCheck, needsConfig, outcomeOf } from "./context";

export const wasmCheck: GateCheck = {
  id: "wasm",
  title: "WASM deliverables compliant",
  async run(ctx) {
    if (!ctx.config.ok) return needsConfig(ctx) as never;
    const cfg = ctx.config.config;
    const problems: string[] = [];
    for (const [id, w] of Object.entries(cfg.wasm)) {
      const m = ctx.modules.find((x) => x.id === id);
      if (m === undefined) continue;
      const raw = await fs.readFile(m.file);
      const bytes = new Uint8Array(isWatSource(m.file) ? await assembleWat(raw.toString("utf8")) : raw);
      const { manifest } = await packageWasm(bytes, {
        blueprintId: id,
        runtimeProfile: w.runtimeProfile,
        signature: w.signature,
      });
      const report = await inspectPackage(manifestReadSchema.parse(manifest), bytes, {
        required: cfg.wasmSigning.required,
        signers: cfg.wasmSigning.signers,
      });
      if (!report.compliant) problems.push(`wasm:${id} is not compliant: ${report.reason_codes.join(", ")}`);
    }
    return outcomeOf(problems, `${Object.keys(cfg.wasm).length} deliverables compliant`);
  },
};
