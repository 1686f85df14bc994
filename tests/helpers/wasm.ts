/**
 * WASM fixtures: the WAT sources under apps/edge-wasm, turned into binaries with wasm-tools
 * (from @bytecodealliance/jco-transpile) at test time with the program's assembler; no binary is committed.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { assembleWat } from "../../infra/wat";
import type { WasmDeliverableInputs } from "../../providers/wasm-deliverable";
import { ROOT } from "./dist";

/** Reads a WAT source of apps/edge-wasm. */
export function wat(name: string): Promise<string> {
  return fs.readFile(path.join(ROOT, "apps/edge-wasm", name), "utf8");
}

/** Assembles WAT (core module or component) into a binary. */
export function watToWasm(text: string): Promise<Uint8Array> {
  return assembleWat(text);
}

/**
 * A deliverable's inputs for a fixture: the WAT source assembled into `<dir>/<name>.wasm`,
 * blueprint `edge`, profile `wasm_wasi`, target root `<dir>/target`.
 *
 * @param dir - a scratch directory
 * @param name - a WAT source of apps/edge-wasm
 */
export async function deliverableFrom(dir: string, name: string): Promise<WasmDeliverableInputs> {
  const bytes = await watToWasm(await wat(name));
  const file = path.join(dir, name.replace(/\.wat$/, ".wasm"));
  await fs.writeFile(file, bytes);
  return {
    blueprintId: "edge",
    module: file,
    sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    runtimeProfile: "wasm_wasi",
    allowNonCompliant: false,
    root: path.join(dir, "target"),
  };
}
