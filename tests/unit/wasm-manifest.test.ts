import * as crypto from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inspectWasm } from "../../providers/wasm/inspect";
import { buildManifest, judgeImports, manifestText } from "../../providers/wasm/manifest";
import { wat, watToWasm } from "../helpers/wasm";

const sha = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex");

async function manifestOf(
  bytes: Uint8Array,
  runtimeProfile: "wasm_wasi" | "channel_automation_wasi" = "wasm_wasi",
) {
  return buildManifest({
    blueprintId: "edge",
    sha256: sha(bytes),
    size: bytes.length,
    runtimeProfile,
    inspection: await inspectWasm(bytes),
  });
}

describe("inspectWasm", () => {
  it("lists a core module's import modules", async () => {
    const bytes = await watToWasm(await wat("legacy-handler.wat"));
    expect(await inspectWasm(bytes)).toEqual({
      ok: true,
      kind: "core",
      importModules: ["wasi_snapshot_preview1"],
    });
  });

  it("lists a component's imported interfaces", async () => {
    const bytes = await watToWasm(await wat("handler.wat"));
    expect(Buffer.from(bytes.subarray(4, 8)).toString("hex")).toBe("0d000100");
    expect(await inspectWasm(bytes)).toEqual({
      ok: true,
      kind: "component",
      importModules: ["wasi:clocks/monotonic-clock@0.2.0", "wasi:http/outgoing-handler@0.2.0"],
    });
  });

  it("fails if the file is not wasm, truncated, or of an unknown version", async () => {
    expect(await inspectWasm(new TextEncoder().encode("<html>not wasm</html>"))).toMatchObject({
      ok: false,
      reason: "not_wasm",
    });
    const bytes = await watToWasm(await wat("legacy-handler.wat"));
    expect(await inspectWasm(bytes.subarray(0, bytes.length - 10))).toMatchObject({
      ok: false,
      reason: "truncated",
    });
    expect(await inspectWasm(bytes.subarray(0, 6))).toMatchObject({ ok: false, reason: "truncated" });
    const v2 = Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]);
    expect(await inspectWasm(v2)).toEqual({
      ok: false,
      reason: "unsupported_version",
      detail: "version bytes 02000000",
    });
  });
});

describe("buildManifest", () => {
  it("passes the compliant component, with every manifest field", async () => {
    const bytes = await watToWasm(await wat("handler.wat"));
    expect(await manifestOf(bytes)).toEqual({
      blueprint_id: "edge",
      artifact_sha256: sha(bytes),
      artifact_size_bytes: bytes.length,
      binary_kind: "component",
      runtime_profile: "wasm_wasi",
      runtime_constraints: { profile_id: "control_plane_gateway_v1" },
      observed_import_modules: ["wasi:clocks/monotonic-clock@0.2.0", "wasi:http/outgoing-handler@0.2.0"],
      capability_constraints: { allowed_wasi_packages: ["cli", "clocks", "http", "io", "random"] },
      compliance: { verdict: "compliant", reason_codes: [], findings: [] },
    });
  });

  it("refuses the preview1 module, naming wasi_snapshot_preview1", async () => {
    const m = await manifestOf(await watToWasm(await wat("legacy-handler.wat")));
    expect(m.compliance).toEqual({
      verdict: "non_compliant",
      reason_codes: ["forbidden_wasi_snapshot_preview1"],
      findings: [{ code: "forbidden_wasi_snapshot_preview1", subject: "wasi_snapshot_preview1" }],
    });
  });

  it("refuses a truncated file and a non-wasm file with their reason", async () => {
    const bytes = await watToWasm(await wat("legacy-handler.wat"));
    expect((await manifestOf(bytes.subarray(0, 20))).compliance.reason_codes).toEqual(["truncated"]);
    expect((await manifestOf(new TextEncoder().encode("hello"))).compliance.reason_codes).toEqual([
      "not_wasm",
    ]);
  });

  it("is byte-identical for the same module, packaged twice", async () => {
    const a = manifestText(await manifestOf(await watToWasm(await wat("handler.wat"))));
    const b = manifestText(await manifestOf(await watToWasm(await wat("handler.wat"))));
    expect(a).toBe(b);
  });
});

describe("judgeImports", () => {
  it("names each rule's reason code", () => {
    expect(
      judgeImports(
        [
          "env",
          "wasi_unstable",
          "wasi:sockets/tcp@0.2.0",
          "wasi:http/types",
          "wasi-legacy",
          "wasi_snapshot_preview1",
        ],
        "control_plane_gateway_v1",
      ).map((f) => `${f.code} ${f.subject}`),
    ).toEqual([
      "forbidden_wasi_unstable wasi_unstable",
      "capability_not_in_profile wasi:sockets/tcp@0.2.0",
      "wasi_import_not_preview2 wasi-legacy",
      "forbidden_wasi_snapshot_preview1 wasi_snapshot_preview1",
    ]);
  });

  it("never lets a preview1 import through, whatever else is imported (property)", () => {
    const other = fc.constantFrom("env", "wasi:http/types@0.2.0", "wasi:io/streams@0.2.1", "math");
    fc.assert(
      fc.property(fc.array(other, { maxLength: 6 }), fc.nat(6), (mods, at) => {
        const list = [...mods.slice(0, at), "wasi_snapshot_preview1", ...mods.slice(at)];
        return judgeImports(list, "channel_automation_runtime_v1").some(
          (f) => f.code === "forbidden_wasi_snapshot_preview1",
        );
      }),
    );
  });
});
