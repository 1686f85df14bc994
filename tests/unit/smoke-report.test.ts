/**
 * The smoke harness's pure rules: header classification (core, component by its version and
 * layer bytes, not WebAssembly), what the edge runtimes are refused, the CI policy for a
 * missing runtime, the report's verdict and schema, the probe script's answers, the stack's
 * deliverables from its outputs, and where Deno's binary comes from.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { denoPackageFor } from "../../automation/lib/smoke/probe-deno";
import { probeOfAnswer } from "../../automation/lib/smoke/probe-script";
import {
  buildSmokeReport,
  isCi,
  loadRefusal,
  missingRuntimeProbe,
  refusedProbes,
  renderSmokeReport,
  type SmokeDeliverable,
  type SmokeProbe,
  smokeReportSchema,
} from "../../automation/lib/smoke/report";
import { deliverablesOfOutputs } from "../../automation/lib/smoke/run";
import { wasmHeaderKind } from "../../providers/wasm/inspect";
import { wat, watToWasm } from "../helpers/wasm";
import { runCli } from "../helpers/wasm-cli";

const header = (...b: number[]) => new Uint8Array(b);

describe("header classification", () => {
  it("tells a core module from a component by the bytes after the magic", async () => {
    expect(wasmHeaderKind(header(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0))).toBe("core");
    expect(wasmHeaderKind(header(0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0))).toBe("component");
    // The edge handler of the local stack is a component.
    expect(wasmHeaderKind(await watToWasm(await wat("handler.wat")))).toBe("component");
    expect(wasmHeaderKind(await watToWasm(await wat("legacy-handler.wat")))).toBe("core");
  });

  it("names what is not a WebAssembly header", () => {
    expect(wasmHeaderKind(header())).toBe("truncated");
    expect(wasmHeaderKind(header(0, 0x61, 0x73))).toBe("truncated");
    expect(wasmHeaderKind(header(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0))).toBe("not_wasm");
    expect(wasmHeaderKind(header(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0))).toBe("unsupported_version");
    // A component header of another layer is not a component.
    expect(wasmHeaderKind(header(0, 0x61, 0x73, 0x6d, 0x0d, 0, 2, 0))).toBe("unsupported_version");
  });

  it("classifies any bytes without throwing, and only core modules are loadable", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
        const kind = wasmHeaderKind(bytes);
        expect(loadRefusal(kind) === undefined).toBe(kind === "core");
      }),
    );
  });

  it("refuses a component with its own reason code, naming why", () => {
    expect(loadRefusal("component")).toEqual({
      code: "component_not_loadable",
      detail: expect.stringContaining("core WebAssembly modules only"),
    });
    expect(loadRefusal("not_wasm")?.code).toBe("not_wasm");
  });
});

describe("CI policy", () => {
  it("reads CI as set unless empty, 0 or false", () => {
    expect(isCi({ CI: "true" })).toBe(true);
    expect(isCi({ CI: "1" })).toBe(true);
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: "" })).toBe(false);
    expect(isCi({ CI: "false" })).toBe(false);
    expect(isCi({ CI: "0" })).toBe(false);
  });

  it("skips a missing runtime outside CI and fails it in CI, naming what is missing", () => {
    const local = missingRuntimeProbe("deno", "deno binary not found", false);
    expect(local).toMatchObject({ status: "skip", reason_code: "runtime_missing", version: null });
    expect(local.detail).toContain("deno binary not found");
    const ci = missingRuntimeProbe("deno", "deno binary not found", true);
    expect(ci).toMatchObject({ status: "fail", reason_code: "runtime_missing" });
    expect(ci.detail).toContain("deno binary not found");
  });
});

const sha = "a".repeat(64);
const pass = (runtime: SmokeProbe["runtime"]): SmokeProbe => ({
  runtime,
  version: "1",
  status: "pass",
  reason_code: null,
  detail: "handle() returned 42",
  duration_ms: 3,
});
const deliverable = (id: string, probes: SmokeProbe[]): SmokeDeliverable => ({
  blueprint_id: id,
  artifact_path: `/t/wasm/${id}/${sha}.wasm`,
  artifact_sha256: sha,
  binary_kind: "core",
  probes,
});

describe("the report", () => {
  it("is ok when nothing failed: skips count as skips, a failure makes it not ok", () => {
    const ok = buildSmokeReport("local", false, [
      deliverable("b", [pass("workerd"), missingRuntimeProbe("deno", "deno binary not found", false)]),
      deliverable("a", [pass("workerd"), pass("deno")]),
    ]);
    expect(ok).toMatchObject({ ok: true, counts: { pass: 3, fail: 0, skip: 1 } });
    expect(ok.deliverables.map((d) => d.blueprint_id)).toEqual(["a", "b"]);
    expect(smokeReportSchema.parse(ok)).toEqual(ok);

    const inCi = buildSmokeReport("local", true, [
      deliverable("b", [pass("workerd"), missingRuntimeProbe("deno", "deno binary not found", true)]),
    ]);
    expect(inCi).toMatchObject({ ok: false, ci: true, counts: { pass: 1, fail: 1, skip: 0 } });
  });

  it("renders one line per deliverable and runtime, and the counts", () => {
    const text = renderSmokeReport(
      buildSmokeReport("local", true, [
        deliverable("a", [pass("workerd"), missingRuntimeProbe("deno", "deno binary not found", true)]),
      ]),
    );
    expect(text).toContain("workerd 1              PASS handle() returned 42 (3 ms)");
    expect(text).toContain("FAIL runtime_missing: deno binary not found");
    expect(text.split("\n").at(-1)).toBe("smoke local: 1 passed, 1 failed, 0 skipped (CI)");
  });

  it("fails every runtime alike for an artifact refused before loading", () => {
    const probes = refusedProbes("sha256_mismatch", "hashes to b…", { workerd: "1.2", deno: null });
    expect(probes.map((p) => [p.runtime, p.version, p.status, p.reason_code])).toEqual([
      ["workerd", "1.2", "fail", "sha256_mismatch"],
      ["deno", null, "fail", "sha256_mismatch"],
    ]);
    expect(buildSmokeReport("s", false, [deliverable("a", probes)]).ok).toBe(false);
  });

  it("refuses a result outside the schema (a reason code nobody documented)", () => {
    const bad = { ...pass("deno"), status: "fail", reason_code: "made_up" } as unknown as SmokeProbe;
    expect(() => buildSmokeReport("s", false, [deliverable("a", [bad])])).toThrow();
  });
});

describe("the probe script's answer", () => {
  it("passes an answer that is ok, keeping the runtime's own version", () => {
    expect(
      probeOfAnswer("deno", "2.0", { ok: true, detail: "handle() returned 1", version: "2.9.6" }, 4.4),
    ).toEqual({
      runtime: "deno",
      version: "2.9.6",
      status: "pass",
      reason_code: null,
      detail: "handle() returned 1",
      duration_ms: 4,
    });
  });

  it("fails with the answer's code, and as probe_crashed on anything else", () => {
    const linkError = {
      ok: false,
      code: "instantiate_failed",
      detail: 'Import #0 "env": module is not an object',
    };
    expect(probeOfAnswer("workerd", "1", linkError, 1)).toMatchObject({
      status: "fail",
      reason_code: "instantiate_failed",
      detail: linkError.detail,
    });
    expect(probeOfAnswer("workerd", "1", { ok: false, code: "weird", detail: "x" }, 1).reason_code).toBe(
      "probe_crashed",
    );
    expect(probeOfAnswer("workerd", "1", "hello", 1)).toMatchObject({
      status: "fail",
      reason_code: "probe_crashed",
    });
  });
});

describe("the stack's deliverables", () => {
  it("reads blueprint id, artifact and sha from the `wasm` output, sorted", () => {
    const outputs = {
      wasm: {
        value: {
          z: { sha256: sha, artifactPath: "/r/wasm/z/a.wasm", verdict: "compliant", reasonCodes: [] },
          edge: {
            sha256: sha,
            artifactPath: "/r/wasm/edge/a.wasm",
            verdict: "compliant",
            reasonCodes: [],
            buildId: "b",
          },
        },
      },
    };
    expect(deliverablesOfOutputs(outputs)).toEqual([
      { blueprintId: "edge", artifactPath: "/r/wasm/edge/a.wasm", sha256: sha },
      { blueprintId: "z", artifactPath: "/r/wasm/z/a.wasm", sha256: sha },
    ]);
    expect(deliverablesOfOutputs({})).toEqual([]);
  });
});

describe("Deno's binary", () => {
  it("comes from the npm package of the platform, as the deno package's optional dependencies name it", () => {
    expect(denoPackageFor("linux", "x64")).toBe("@deno/linux-x64-glibc");
    expect(denoPackageFor("darwin", "arm64")).toBe("@deno/darwin-arm64");
    expect(denoPackageFor("linux", "s390x")).toBeUndefined();
    const optional = Object.keys(require("deno/package.json").optionalDependencies);
    const ours = ["linux", "darwin", "win32"].flatMap((os) =>
      ["x64", "arm64"].map((a) => denoPackageFor(os, a)),
    );
    expect(ours.sort()).toEqual(optional.sort());
  });
});

describe("glidepath smoke's arguments", () => {
  it("refuses a timeout out of range before opening the stack: exit 2 naming the flag and value", async () => {
    const r = await runCli(["smoke", "--stack", "local", "--timeout-ms", "5", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: "GP_ARG_INVALID" });
    expect(r.stderr).toContain("--timeout-ms=5: expected at least 100");
  });
});
