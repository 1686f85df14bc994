/**
 * The WasmDeliverable provider against the local target, with modules assembled from the WAT
 * fixtures in apps/edge-wasm.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { type WasmDeliverableInputs, wasmDeliverableProvider as wp } from "../../providers/wasm-deliverable";
import { deliverableFrom } from "../helpers/wasm";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-wasm-"));
});

const moduleFrom = (name: string) => deliverableFrom(dir, name);

describe("WasmDeliverable provider", () => {
  it("check passes a compliant component", async () => {
    const i = await moduleFrom("handler.wat");
    expect(
      await wp.check?.({} as WasmDeliverableInputs, { ...i, __provider: "x" } as WasmDeliverableInputs),
    ).toEqual({
      inputs: i,
    });
  });

  it("fails check for a preview1 module, naming wasi_snapshot_preview1, unless explicitly allowed", async () => {
    const i = await moduleFrom("legacy-handler.wat");
    const r = await wp.check?.({} as WasmDeliverableInputs, i);
    expect(r?.failures).toEqual([
      {
        property: "module",
        reason:
          "non-compliant: forbidden_wasi_snapshot_preview1 (wasi_snapshot_preview1); rebuild it for WASI preview2, or set allowNonCompliant to package it anyway",
      },
    ]);
    expect(
      (await wp.check?.({} as WasmDeliverableInputs, { ...i, allowNonCompliant: true }))?.failures,
    ).toBeUndefined();
  });

  it("fails check if the module changed after its digest was taken", async () => {
    const i = await moduleFrom("handler.wat");
    await fs.appendFile(i.module, Buffer.from([0]));
    expect((await wp.check?.({} as WasmDeliverableInputs, i))?.failures?.[0]?.property).toBe("sha256");
  });

  it("create packages <blueprint>/<sha>.wasm and a byte-identical manifest on every packaging", async () => {
    const i = await moduleFrom("handler.wat");
    const first = await wp.create(i);
    const artifact = path.join(i.root as string, "wasm/edge", `${i.sha256}.wasm`);
    const manifestPath = path.join(i.root as string, "wasm/edge", `${i.sha256}.manifest.json`);
    expect(first.outs).toMatchObject({
      artifactPath: artifact,
      manifestPath,
      verdict: "compliant",
      reasonCodes: [],
    });
    expect(await fs.readFile(artifact)).toEqual(await fs.readFile(i.module));
    const manifest1 = await fs.readFile(manifestPath, "utf8");
    await wp.create(i);
    expect(await fs.readFile(manifestPath, "utf8")).toBe(manifest1);
    expect(JSON.parse(manifest1)).toMatchObject({
      blueprint_id: "edge",
      artifact_sha256: i.sha256,
      runtime_profile: "wasm_wasi",
      runtime_constraints: { profile_id: "control_plane_gateway_v1" },
      compliance: { verdict: "compliant" },
    });
  });

  it("read reports a swapped artifact and a removed one; delete removes both files", async () => {
    const i = await moduleFrom("handler.wat");
    const { id, outs } = await wp.create(i);
    if (!outs) throw new Error("no outputs");
    await fs.writeFile(outs.artifactPath, "swapped");
    expect((await wp.read?.(id, outs))?.props?.sha256).not.toBe(i.sha256);
    await wp.delete?.(id, outs);
    await expect(fs.access(outs.manifestPath)).rejects.toThrow();
    expect(await wp.read?.(id, outs)).toEqual({ id: "", props: undefined });
  });
});
