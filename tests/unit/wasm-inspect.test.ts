/**
 * `glidepath wasm inspect`: the report's fields (exactly the runbook's, plus `signature`), each
 * reason code, and the exit codes (0 compliant, 1 not, 2 bad arguments), through the CLI.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { wasmInspectReportSchema } from "../../automation/lib/wasm-inspect";
import { COMPATIBILITY_MATRIX } from "../../providers/wasm/manifest";
import { deliverableFrom } from "../helpers/wasm";
import { packageArgv, runCli } from "../helpers/wasm-cli";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-wasm-inspect-"));
});

/** Packages a fixture (or raw bytes) with the CLI; resolves with the manifest's path. */
async function packaged(what: string | Uint8Array, profile = "wasm_wasi"): Promise<string> {
  let module: string;
  if (typeof what === "string") module = (await deliverableFrom(dir, what)).module;
  else {
    module = path.join(dir, "raw.wasm");
    await fs.writeFile(module, what);
  }
  const r = await runCli(
    packageArgv(
      module,
      path.join(dir, "out"),
      "--runtime-profile",
      profile,
      "--allow-non-compliant",
      "--json",
    ),
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).manifest_path;
}

async function inspect(manifest: string, ...extra: string[]) {
  const r = await runCli(["wasm", "inspect", "--manifest", manifest, "--json", ...extra]);
  return { ...r, report: r.code === 2 ? undefined : wasmInspectReportSchema.parse(JSON.parse(r.stdout)) };
}

async function editManifest(file: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const m = JSON.parse(await fs.readFile(file, "utf8"));
  edit(m);
  await fs.writeFile(file, JSON.stringify(m, null, 2));
}

describe("glidepath wasm inspect", () => {
  it("a compliant component: exit 0, exactly the report's fields", async () => {
    const r = await inspect(await packaged("handler.wat"));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      constraint_profile_id: "control_plane_gateway_v1",
      constraint_target_role: "control_plane_gateway",
      required_runtime_profile: "wasm_wasi",
      required_abi: "wasi_preview2",
      compliant: true,
      reason_codes: [],
      observed_import_modules: ["wasi:clocks/monotonic-clock@0.2.0", "wasi:http/outgoing-handler@0.2.0"],
      required_feature_gates: ["component-model", "wasi-http"],
      max_artifact_size_bytes: 26214400,
      signature: "unsigned",
    });
  });

  it("reads the constraint profile of channel_automation_wasi from the matrix", async () => {
    const r = await inspect(await packaged("handler.wat", "channel_automation_wasi"));
    const row = COMPATIBILITY_MATRIX.channel_automation_wasi;
    expect(r.report).toMatchObject({
      constraint_profile_id: "channel_automation_runtime_v1",
      constraint_target_role: row.targetRole,
      required_feature_gates: [...row.requiredFeatureGates],
      compliant: true,
    });
  });

  it("legacy WASI imports: exit 1, forbidden_wasi_snapshot_preview1, the report is the one JSON document", async () => {
    const r = await inspect(await packaged("legacy-handler.wat"));
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({
      compliant: false,
      reason_codes: ["forbidden_wasi_snapshot_preview1"],
      observed_import_modules: ["wasi_snapshot_preview1"],
    });
    expect(r.stderr).toContain("error[GP_WASM_NON_COMPLIANT]");
  });

  it("bad magic: an artifact swapped for a non-wasm file gives not_wasm and the hash and size mismatches", async () => {
    const m = await packaged("handler.wat");
    await fs.writeFile(m.replace(/\.manifest\.json$/, ".wasm"), "<html>not wasm</html>");
    const r = await inspect(m);
    expect(r.code).toBe(1);
    expect(r.report?.reason_codes).toEqual(["not_wasm", "sha256_mismatch", "size_mismatch"]);
  });

  it("size over the profile's maximum: artifact_too_large", async () => {
    const max = COMPATIBILITY_MATRIX.wasm_wasi.maxArtifactSizeBytes;
    // A core module of one custom section ("x") just over the maximum.
    const payload = max - 8 + 1;
    const size = payload + 2;
    const leb: number[] = [];
    for (let n = size; ; ) {
      const b = n & 0x7f;
      n >>>= 7;
      if (n === 0) {
        leb.push(b);
        break;
      }
      leb.push(b | 0x80);
    }
    const head = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, ...leb, 1, 0x78];
    const bytes = new Uint8Array(head.length + payload);
    bytes.set(head);
    const r = await inspect(await packaged(bytes));
    expect(r.code).toBe(1);
    expect(r.report?.reason_codes).toEqual(["artifact_too_large"]);
  });

  it("hash, size and imports that differ from the manifest: sha256_mismatch, size_mismatch, imports_mismatch", async () => {
    const m = await packaged("handler.wat");
    await editManifest(m, (x) => {
      x.artifact_sha256 = "0".repeat(64);
    });
    expect((await inspect(m)).report?.reason_codes).toEqual(["sha256_mismatch"]);
    const n = await packaged("handler.wat");
    await editManifest(n, (x) => {
      x.artifact_sha256 = path.basename(n).slice(0, 64);
      x.artifact_size_bytes = 1;
      x.observed_import_modules = [];
    });
    expect((await inspect(n)).report?.reason_codes).toEqual(["imports_mismatch", "size_mismatch"]);
  });

  it("a constraint profile that is not the runtime profile's: profile_mismatch", async () => {
    const m = await packaged("handler.wat");
    await editManifest(m, (x) => {
      x.runtime_constraints = { profile_id: "channel_automation_runtime_v1" };
    });
    expect((await inspect(m)).report?.reason_codes).toEqual(["profile_mismatch"]);
  });

  it("a missing artifact: artifact_missing", async () => {
    const m = await packaged("handler.wat");
    await fs.rm(m.replace(/\.manifest\.json$/, ".wasm"));
    const r = await inspect(m);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ reason_codes: ["artifact_missing"], observed_import_modules: [] });
  });

  it("--require-signed: an unsigned manifest is signature_missing", async () => {
    const r = await inspect(await packaged("handler.wat"), "--require-signed");
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ signature: "unsigned", reason_codes: ["signature_missing"] });
  });

  it("bad arguments: exit 2 naming --manifest and the value", async () => {
    const missing = path.join(dir, "x.manifest.json");
    const r = await runCli(["wasm", "inspect", "--manifest", missing, "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: "GP_ARG_INVALID",
      message: `--manifest=${JSON.stringify(missing)}: cannot read it (ENOENT); nothing was changed`,
    });
    await fs.writeFile(missing, "{not json");
    expect((await runCli(["wasm", "inspect", "--manifest", missing])).stderr).toContain("is not JSON");
    await fs.writeFile(missing, JSON.stringify({ blueprint_id: "edge" }));
    const notManifest = await runCli(["wasm", "inspect", "--manifest", missing]);
    expect(notManifest.code).toBe(2);
    expect(notManifest.stderr).toContain("is not a WASM manifest (artifact_sha256:");
    const wrongName = await runCli(["wasm", "inspect", "--manifest", path.join(dir, "m.json")]);
    expect(wrongName.stderr).toContain("expected a <sha>.manifest.json file");
    const badSigner = await runCli(["wasm", "inspect", "--manifest", missing, "--signer", "did:web:x"]);
    expect(badSigner.code).toBe(2);
    expect(badSigner.stderr).toContain('--signer="did:web:x"');
    expect((await runCli(["wasm", "inspect"])).code).toBe(2);
    expect((await runCli(["wasm", "frobnicate"])).code).toBe(2);
  });
});
