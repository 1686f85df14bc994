/**
 * `glidepath wasm package | inspect | sign`: the WASM deliverable as an operator handles it
 * outside a stack: package a module into `<blueprint>/<sha>.wasm` plus its manifest (the
 * bytes the WasmDeliverable resource writes), inspect a packaged one against the
 * compatibility matrix, and sign its manifest with an Ed25519 key. See docs/wasm.md.
 */
import type { Argv } from "yargs";
import * as inspect from "./wasm-inspect";
import * as pkg from "./wasm-package";
import * as sign from "./wasm-sign";

export const command = "wasm <action>";
export const describe = "package, inspect or sign a WASM deliverable (see docs/wasm.md)";

export function builder(y: Argv) {
  return y
    .command(pkg)
    .command(inspect)
    .command(sign)
    .demandCommand(1, "name an action: package, inspect or sign");
}

export function handler(): void {
  // Each action has its own handler.
}
