/// <reference path="./webassembly.d.ts" />
/**
 * Reads what a WebAssembly binary imports. Core modules go through V8
 * (`WebAssembly.Module.imports`); component-model binaries through wasm-tools as the
 * Bytecode Alliance ships it in `@bytecodealliance/jco-transpile` (its WIT rendering lists
 * the component's imports). Imported inside the functions: this runs in serialized providers.
 * The byte constants stay module-private on purpose: Pulumi's closure serializer captures a
 * private constant by value, but an exported one as a property of `exports`, which it drops.
 */

/** Magic header of every WebAssembly binary: `\0asm`. */
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;
/** Version bytes of a core module. */
const CORE_VERSION = [0x01, 0x00, 0x00, 0x00] as const;
/** Version and layer bytes of a component-model binary. */
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00] as const;

/** What {@link inspectWasm} found. */
export type Inspection =
  | { ok: true; kind: "core" | "component"; importModules: string[] }
  | {
      ok: false;
      reason: "not_wasm" | "truncated" | "unsupported_version" | "invalid_module";
      detail: string;
    };

function startsWith(bytes: Uint8Array, at: number, expected: readonly number[]): boolean {
  return expected.every((b, i) => bytes[at + i] === b);
}

/** What a binary's 8-byte header says it is (see {@link wasmHeaderKind}). */
export type HeaderKind = "core" | "component" | "not_wasm" | "truncated" | "unsupported_version";

/**
 * Classifies a binary by its header alone (pure): the `\0asm` magic, then the 4 bytes after it,
 * which are the version (`01 00 00 00`, a core module) or the version and layer of a
 * component-model binary (`0d 00 01 00`: version 13, layer 1).
 *
 * @param bytes - the binary (only its first 8 bytes are read)
 */
export function wasmHeaderKind(bytes: Uint8Array): HeaderKind {
  if (bytes.length < 8) {
    return startsWith(bytes, 0, WASM_MAGIC.slice(0, Math.min(bytes.length, 4))) ? "truncated" : "not_wasm";
  }
  if (!startsWith(bytes, 0, WASM_MAGIC)) return "not_wasm";
  if (startsWith(bytes, 4, CORE_VERSION)) return "core";
  if (startsWith(bytes, 4, COMPONENT_VERSION)) return "component";
  return "unsupported_version";
}

/**
 * Classifies a binary and lists the modules (core) or interfaces (component) it imports,
 * sorted and unique.
 *
 * @param bytes - the binary
 */
export async function inspectWasm(bytes: Uint8Array): Promise<Inspection> {
  const header = wasmHeaderKind(bytes);
  if (header === "truncated")
    return { ok: false, reason: "truncated", detail: `only ${bytes.length} bytes; a module has at least 8` };
  if (header === "not_wasm") return { ok: false, reason: "not_wasm", detail: "no \\0asm magic header" };
  if (header === "core") {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(bytes);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      const truncated = /unexpected end|section.*(extends|out of bounds)|length out of bounds/i.test(detail);
      return { ok: false, reason: truncated ? "truncated" : "invalid_module", detail };
    }
    const importModules = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))].sort();
    return { ok: true, kind: "core", importModules };
  }
  if (header === "component") {
    const tools = await import("@bytecodealliance/jco-transpile/wasm-tools");
    let wit: string;
    try {
      wit = await tools.componentWit(bytes);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      return { ok: false, reason: /unexpected end/i.test(detail) ? "truncated" : "invalid_module", detail };
    }
    const importModules = [
      ...new Set(
        [...wit.matchAll(/^\s*import\s+([^\s;:{]+(?::[^\s;{]+)?)\s*[;:{]/gm)].map((m) => m[1] ?? ""),
      ),
    ]
      .filter(Boolean)
      .sort();
    return { ok: true, kind: "component", importModules };
  }
  const version = Buffer.from(bytes.subarray(4, 8)).toString("hex");
  return { ok: false, reason: "unsupported_version", detail: `version bytes ${version}` };
}
