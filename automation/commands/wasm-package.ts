/**
 * `glidepath wasm package --module M.wasm|M.wat --blueprint-id ID [--runtime-profile P]
 * --output-dir DIR [--allow-non-compliant] [--json]`: writes `DIR/ID/<sha>.wasm` and
 * `DIR/ID/<sha>.manifest.json`, byte for byte what the WasmDeliverable resource writes for the
 * same module. A `.wat` source is assembled first, with the program's assembler. A
 * non-compliant module is refused (exit 1, nothing written) unless `--allow-non-compliant`.
 *
 * With `--stack S [--project-dir D]`, the deliverable is then recorded in the stack: its
 * `glidepath:wasm.<id>` entry is set and the stack's update runs, so the stack's
 * WasmDeliverable resource holds it (`automation/lib/wasm-record.ts`).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Argv } from "yargs";
import { z } from "zod";
import { BLUEPRINT_ID } from "../../infra/config";
import { assembleWat, isWatSource } from "../../infra/wat";
import { edgeStoreOf } from "../../providers/targets/edge-store";
import { RUNTIME_PROFILES } from "../../providers/wasm/manifest";
import { packageKeys, packageWasm, writePackage } from "../../providers/wasm/package";
import { stackContext } from "../lib/context";
import { GlidepathError } from "../lib/errors";
import { projectModulePath, recordDeliverable } from "../lib/wasm-record";
import { emit, parseArgs, progressLine, stackArgs } from "./common";

export const command = "package";
export const describe = "package a module as <blueprint>/<sha>.wasm plus its manifest";

export function builder(y: Argv) {
  return y
    .option("module", {
      type: "string",
      demandOption: true,
      describe: "the module: a .wasm binary or a .wat source",
    })
    .option("blueprint-id", { type: "string", demandOption: true, describe: "the blueprint it belongs to" })
    .option("runtime-profile", {
      type: "string",
      default: "wasm_wasi",
      describe: `runtime profile: ${RUNTIME_PROFILES.join(" | ")}`,
    })
    .option("output-dir", { type: "string", demandOption: true, describe: "where <blueprint>/<sha>.* go" })
    .option("allow-non-compliant", {
      type: "boolean",
      default: false,
      describe: "package a non-compliant module",
    })
    .option("stack", {
      type: "string",
      describe: "also record it in this stack: set glidepath:wasm.<id> and run the stack's update",
    })
    .option("project-dir", {
      type: "string",
      describe: "the stack's project directory (default: this package)",
    })
    .option("json", { type: "boolean", default: false, describe: "print one JSON document" });
}

const args = z.object({
  module: z.string().refine((p) => p.endsWith(".wasm") || p.endsWith(".wat"), {
    error: "expected a .wasm binary or a .wat source",
  }),
  blueprintId: z.string().regex(BLUEPRINT_ID, { error: `expected a blueprint id matching ${BLUEPRINT_ID}` }),
  runtimeProfile: z.enum(RUNTIME_PROFILES, { error: `expected one of: ${RUNTIME_PROFILES.join(", ")}` }),
  outputDir: z.string().min(1),
  allowNonCompliant: z.boolean(),
  stack: stackArgs.shape.stack.optional(),
  projectDir: z.string().optional(),
  json: z.boolean(),
});

/** What `wasm package --json` prints. */
export interface PackageResult {
  /** The blueprint (`--blueprint-id`). */
  blueprint_id: string;
  /** Absolute path of `<output-dir>/<blueprint>/<sha>.wasm`. */
  artifact_path: string;
  /** Absolute path of `<output-dir>/<blueprint>/<sha>.manifest.json`. */
  manifest_path: string;
  /** sha-256 (hex) of the artifact. */
  artifact_sha256: string;
  /** Its size in bytes. */
  artifact_size_bytes: number;
  /** The manifest's verdict. */
  verdict: "compliant" | "non_compliant";
  /** The manifest's reason codes. */
  reason_codes: string[];
  /**
   * With `--stack`: the stack, the update's message, and the deliverable as the stack's
   * WasmDeliverable resource now holds it (its stack output `wasm.<id>`).
   */
  stack?: { name: string; message: string; deliverable: Record<string, unknown> };
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const raw = await fs.readFile(a.module).catch((e: NodeJS.ErrnoException) => {
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `--module=${JSON.stringify(a.module)}: cannot read it (${e.code ?? e.message}); nothing was written`,
      "name an existing .wasm or .wat file",
    );
  });
  let bytes: Uint8Array = new Uint8Array(raw);
  if (isWatSource(a.module)) {
    try {
      bytes = await assembleWat(raw.toString("utf8"));
    } catch (e) {
      throw new GlidepathError(
        "GP_ARG_INVALID",
        `--module=${JSON.stringify(a.module)}: does not assemble: ${e instanceof Error ? e.message : String(e)}; nothing was written`,
        "fix the WebAssembly text",
      );
    }
  }
  const p = await packageWasm(bytes, { blueprintId: a.blueprintId, runtimeProfile: a.runtimeProfile });
  const m = p.manifest;
  if (m.compliance.verdict === "non_compliant" && !a.allowNonCompliant) {
    const why = m.compliance.findings.map((f) => `${f.code} (${f.subject})`).join(", ");
    throw new GlidepathError(
      "GP_WASM_NON_COMPLIANT",
      `${a.module} is not compliant with ${m.runtime_constraints.profile_id}: ${why}; nothing was written`,
      "rebuild it for WASI preview2, or pass --allow-non-compliant to package it anyway",
    );
  }
  // With --stack: the stack is opened and the module checked before anything is written.
  const ctx =
    a.stack === undefined
      ? undefined
      : await stackContext({
          stack: a.stack,
          projectDir: a.projectDir,
          progress: progressLine,
          changesStack: true,
        });
  if (ctx) projectModulePath(ctx.projectDir, a.module, a.blueprintId);
  const root = path.resolve(a.outputDir);
  await writePackage(edgeStoreOf({ root }), a.blueprintId, p);
  const keys = packageKeys(a.blueprintId, m.artifact_sha256);
  const result: PackageResult = {
    blueprint_id: a.blueprintId,
    artifact_path: path.join(root, keys.artifact),
    manifest_path: path.join(root, keys.manifest),
    artifact_sha256: m.artifact_sha256,
    artifact_size_bytes: m.artifact_size_bytes,
    verdict: m.compliance.verdict,
    reason_codes: m.compliance.reason_codes,
  };
  if (ctx) {
    const deployed = await recordDeliverable(
      ctx,
      {
        module: a.module,
        blueprintId: a.blueprintId,
        runtimeProfile: a.runtimeProfile,
        allowNonCompliant: a.allowNonCompliant,
      },
      a.json ? undefined : progressLine,
    );
    const wasm = (deployed.outputs.wasm ?? {}) as Record<string, Record<string, unknown>>;
    result.stack = {
      name: ctx.stack.name,
      message: deployed.message,
      deliverable: wasm[a.blueprintId] ?? {},
    };
  }
  emit(a.json, result, () =>
    [
      `packaged ${a.module} as ${result.artifact_path} (${m.compliance.verdict}${m.compliance.reason_codes.length ? `: ${m.compliance.reason_codes.join(", ")}` : ""})`,
      `  manifest ${result.manifest_path}`,
      ...(result.stack
        ? [
            `  recorded in stack ${result.stack.name} (${result.stack.message}): ${String(result.stack.deliverable.artifactPath ?? "")}`,
          ]
        : []),
      `  next: glidepath wasm inspect --manifest ${result.manifest_path}`,
    ].join("\n"),
  );
}
