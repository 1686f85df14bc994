/**
 * WebAssembly text (WAT) → binary, for WASM deliverables configured with a `.wat` source:
 * the program's build runs it, and the pre-update compliance check runs it in memory. The
 * assembler is wasm-tools' `parse` as the Bytecode Alliance ships it in
 * `@bytecodealliance/jco-transpile` (core modules and components alike); it is
 * deterministic, so the same text always gives the same bytes.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Package that provides the assembler. */
const ASSEMBLER_PACKAGE = "@bytecodealliance/jco-transpile";

/** Whether a configured module path is a text source that the program builds. */
export function isWatSource(modulePath: string): boolean {
  return modulePath.endsWith(".wat");
}

/**
 * Assembles WAT text into a binary.
 *
 * @param text - the WAT source
 * @throws Error with the assembler's message (line and column) when the text is invalid
 */
export async function assembleWat(text: string): Promise<Uint8Array> {
  const tools = await import("@bytecodealliance/jco-transpile/wasm-tools");
  return tools.parse(text);
}

/**
 * The assembler's identity (`wasm-tools parse (@bytecodealliance/jco-transpile 0.15.0)`), as
 * installed where this module resolves it: part of a WASM build's trigger, so upgrading the
 * assembler rebuilds the module.
 */
export function assemblerId(): string {
  let dir = path.dirname(require.resolve(`${ASSEMBLER_PACKAGE}/wasm-tools`));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const { name, version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as Record<string, string>;
      if (name === ASSEMBLER_PACKAGE) return `wasm-tools parse (${name} ${version})`;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the version of ${ASSEMBLER_PACKAGE}`);
    dir = parent;
  }
}
