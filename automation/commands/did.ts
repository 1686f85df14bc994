/**
 * `glidepath did init`: the deterministic did:key bootstrap of an identity (see docs/wasm.md,
 * "Browser DID bootstrap").
 */
import type { Argv } from "yargs";
import * as init from "./did-init";

export const command = "did <action>";
export const describe = "bootstrap a deterministic did:key identity (see docs/wasm.md)";

export function builder(y: Argv) {
  return y.command(init).demandCommand(1, "name an action: init");
}

export function handler(): void {
  // Each action has its own handler.
}
