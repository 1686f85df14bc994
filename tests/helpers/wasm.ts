/**
 * WASM fixtures: the WAT sources under apps/edge-wasm, turned into binaries with wasm-tools
 * (from @bytecodealliance/jco-transpile) at test time with the program's assembler; no binary is committed.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { assembleWat } from "../../infra/wat";
import { ROOT } from "./dist";

/** Reads a WAT source of apps/edge-wasm. */
export function wat(name: string): Promise<string> {
  return fs.readFile(path.join(ROOT, "apps/edge-wasm", name), "utf8");
}

/** Assembles WAT (core module or component) into a binary. */
export function watToWasm(text: string): Promise<Uint8Array> {
  return assembleWat(text);
}
