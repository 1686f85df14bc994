/**
 * `wasm package --stack`: the `glidepath:wasm.<id>` entry it records (pure) and the module path
 * it refuses (outside the project).
 */
import { describe, expect, it } from "vitest";
import { deliverableEntry, projectModulePath } from "../../automation/lib/wasm-record";

const signature = {
  signer: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
  value: "x".repeat(86),
};

describe("deliverableEntry", () => {
  it("keeps the signature only for the same module and runtime profile", () => {
    const existing = { module: "apps/edge-wasm/handler.wat", signature };
    expect(
      deliverableEntry(existing, "apps/edge-wasm/handler.wat", {
        runtimeProfile: "wasm_wasi",
        allowNonCompliant: false,
      }),
    ).toEqual({
      module: "apps/edge-wasm/handler.wat",
      runtimeProfile: "wasm_wasi",
      signature,
    });
    expect(
      deliverableEntry(existing, "apps/edge-wasm/other.wat", {
        runtimeProfile: "wasm_wasi",
        allowNonCompliant: false,
      }),
    ).toEqual({
      module: "apps/edge-wasm/other.wat",
      runtimeProfile: "wasm_wasi",
    });
    expect(
      deliverableEntry(existing, "apps/edge-wasm/handler.wat", {
        runtimeProfile: "channel_automation_wasi",
        allowNonCompliant: true,
      }),
    ).toEqual({
      module: "apps/edge-wasm/handler.wat",
      runtimeProfile: "channel_automation_wasi",
      allowNonCompliant: true,
    });
  });
});

describe("projectModulePath", () => {
  it("is the module relative to the project", () => {
    expect(projectModulePath("/p", "/p/apps/edge-wasm/handler.wat", "edge")).toBe(
      "apps/edge-wasm/handler.wat",
    );
  });
  it.each(["/elsewhere/m.wat", "/p/../q/m.wat", "/p"])("refuses %s (outside the project)", (m) => {
    expect(() => projectModulePath("/p", m, "edge")).toThrow(/GP_ARG_INVALID|outside the project/);
  });
});
