/**
 * WASM compliance before any update, for built (`.wasm`) and source (`.wat`) modules.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { wasmIssues } from "../../infra/wasm-issues";
import { wat, watToWasm } from "../helpers/wasm";

type Wasm = Parameters<typeof wasmIssues>[0]["wasm"];
const entry = (module: string, allowNonCompliant = false): Wasm[string] => ({
  module,
  runtimeProfile: "wasm_wasi",
  allowNonCompliant,
});

describe("wasmIssues", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-wasm-issues-"));
    for (const name of ["handler.wat", "legacy-handler.wat"]) {
      const text = await wat(name);
      await fs.writeFile(path.join(dir, name), text);
      await fs.writeFile(path.join(dir, name.replace(/\.wat$/, ".wasm")), await watToWasm(text));
    }
    await fs.writeFile(path.join(dir, "broken.wat"), "(module (func (result i32) i32.const))\n");
  });

  it("passes compliant modules, built or from source", async () => {
    expect(await wasmIssues({ wasm: { a: entry("handler.wat"), b: entry("handler.wasm") } }, dir)).toEqual(
      [],
    );
  });

  it("names the reason code of a non-compliant source, and the key that would allow it", async () => {
    const issues = await wasmIssues({ wasm: { edge: entry("legacy-handler.wat") } }, dir);
    expect(issues).toEqual([
      {
        path: "glidepath:wasm.edge.module",
        message:
          "non-compliant module legacy-handler.wat: forbidden_wasi_snapshot_preview1 (wasi_snapshot_preview1); " +
          "rebuild it for WASI preview2, or set glidepath:wasm.edge.allowNonCompliant to true",
      },
    ]);
    expect(await wasmIssues({ wasm: { edge: entry("legacy-handler.wat", true) } }, dir)).toEqual([]);
  });

  it("reports a source that does not assemble, with the assembler's message", async () => {
    const issues = await wasmIssues({ wasm: { edge: entry("broken.wat") } }, dir);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("glidepath:wasm.edge.module");
    expect(issues[0]?.message).toMatch(/^broken\.wat does not assemble: .+; fix the WebAssembly text$/s);
  });
});
