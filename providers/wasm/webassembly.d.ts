/**
 * The part of the WebAssembly JS API that glidepath uses. TypeScript declares it only in the
 * DOM library, which this Node project does not load.
 */
declare namespace WebAssembly {
  interface ModuleImportDescriptor {
    module: string;
    name: string;
    kind: "function" | "table" | "memory" | "global" | "tag";
  }
  class Module {
    constructor(bytes: Uint8Array);
    static imports(module: Module): ModuleImportDescriptor[];
  }
}
